// The Docker image manifest v2 schema 2 media types: what `docker push` sends to ECR.

export const MANIFEST_MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json";
export const CONFIG_MEDIA_TYPE = "application/vnd.docker.container.image.v1+json";
export const LAYER_MEDIA_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip";

/** OCI equivalents, accepted when reading a manifest someone else pushed. */
export const OCI_MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
export const OCI_CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";
export const OCI_LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";

export const ACCEPTED_MANIFEST_MEDIA_TYPES = [MANIFEST_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE];
