// The image format: what `docker build` produces and a registry stores. A Docker v2 schema 2
// manifest, its config blob and gzipped tar layers, all content-addressed by sha256 digest; and its
// distribution through the ECR API (what `docker push` does), for every workspace that pushes one.
export * from "./digest.js";
export * from "./ecr-push.js";
export * from "./ecr-registry.js";
export * from "./errors.js";
export * from "./image-config.js";
export * from "./layer.js";
export * from "./manifest.js";
export * from "./media-types.js";
export * from "./pack.js";
