import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  BatchCheckLayerAvailabilityCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ECRServiceException,
  GetAuthorizationTokenCommand,
  GetDownloadUrlForLayerCommand,
  InitiateLayerUploadCommand,
  PutImageCommand,
  UploadLayerPartCommand,
} from "@aws-sdk/client-ecr";
import { mockClient } from "aws-sdk-client-mock";

// An in-memory ECR behind aws-sdk-client-mock: AWS itself can't run here, so the push and
// promote sequences are checked against a registry that keeps ECR's rules (blob digests
// verified on completion, parts contiguous, immutable tags).

const sha256 = (b: Uint8Array) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

function awsError(name: string, message: string): ECRServiceException {
  return new ECRServiceException({ name, message, $fault: "client", $metadata: { httpStatusCode: 400 } });
}

interface Repo {
  immutable: boolean;
  blobs: Map<string, Buffer>;
  manifests: Map<string, { text: string; mediaType: string }>;
  tags: Map<string, string>;
}

export interface FakeEcrOptions {
  /** Serve blobs over real HTTP on 127.0.0.1 (download URLs point there) instead of a fake host. */
  serveBlobs?: boolean;
}

export function fakeEcr(
  repos: Record<string, { immutable?: boolean }>,
  partSizeHint?: number,
  options: FakeEcrOptions = {},
) {
  const state = new Map<string, Repo>();
  for (const [name, opts] of Object.entries(repos)) {
    state.set(name, {
      immutable: opts.immutable ?? true,
      blobs: new Map(),
      manifests: new Map(),
      tags: new Map(),
    });
  }
  const uploads = new Map<string, { repo: string; parts: Buffer[]; next: number }>();
  const repo = (name: string | undefined) => {
    const found = name ? state.get(name) : undefined;
    if (!found)
      throw awsError("RepositoryNotFoundException", `The repository with name '${name}' does not exist`);
    return found;
  };
  const client = new ECRClient({ region: "eu-west-1" });
  const mock = mockClient(client);
  let uploadSeq = 0;

  mock.on(DescribeRepositoriesCommand).callsFake((input) => {
    const name = input.repositoryNames?.[0];
    repo(name);
    return {
      repositories: [
        { repositoryName: name, repositoryUri: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${name}` },
      ],
    };
  });
  mock.on(BatchCheckLayerAvailabilityCommand).callsFake((input) => {
    const r = repo(input.repositoryName);
    const layers = [];
    const failures = [];
    for (const d of input.layerDigests ?? []) {
      if (r.blobs.has(d))
        layers.push({ layerDigest: d, layerAvailability: "AVAILABLE", layerSize: r.blobs.get(d)!.length });
      else failures.push({ layerDigest: d, failureCode: "MissingLayerDigest", failureReason: "not found" });
    }
    return { layers, failures };
  });
  mock.on(InitiateLayerUploadCommand).callsFake((input) => {
    repo(input.repositoryName);
    const uploadId = `upload-${++uploadSeq}`;
    uploads.set(uploadId, { repo: input.repositoryName!, parts: [], next: 0 });
    return { uploadId, partSize: partSizeHint };
  });
  mock.on(UploadLayerPartCommand).callsFake((input) => {
    const upload = uploads.get(input.uploadId!);
    if (!upload || upload.repo !== input.repositoryName)
      throw awsError("UploadNotFoundException", "no such upload");
    if (input.partFirstByte !== upload.next)
      throw awsError("InvalidLayerPartException", "parts out of order");
    const blob = Buffer.from(input.layerPartBlob!);
    if (blob.length !== input.partLastByte! - input.partFirstByte! + 1)
      throw awsError("InvalidLayerPartException", "size");
    upload.parts.push(blob);
    upload.next = input.partLastByte! + 1;
    return { uploadId: input.uploadId, lastByteReceived: input.partLastByte };
  });
  mock.on(CompleteLayerUploadCommand).callsFake((input) => {
    const upload = uploads.get(input.uploadId!);
    if (!upload) throw awsError("UploadNotFoundException", "no such upload");
    const bytes = Buffer.concat(upload.parts);
    const digest = input.layerDigests?.[0];
    if (sha256(bytes) !== digest) throw awsError("InvalidLayerException", "digest mismatch");
    const r = repo(input.repositoryName);
    uploads.delete(input.uploadId!);
    if (r.blobs.has(digest)) throw awsError("LayerAlreadyExistsException", "layer exists");
    r.blobs.set(digest, bytes);
    return { layerDigest: digest, uploadId: input.uploadId };
  });
  mock.on(PutImageCommand).callsFake((input) => {
    const r = repo(input.repositoryName);
    const text = input.imageManifest!;
    const digest = sha256(Buffer.from(text, "utf8"));
    if (input.imageDigest && input.imageDigest !== digest)
      throw awsError("ReferencedImagesNotFoundException", "digest");
    const manifest = JSON.parse(text);
    for (const d of [manifest.config.digest, ...manifest.layers.map((l: { digest: string }) => l.digest)]) {
      if (!r.blobs.has(d)) throw awsError("LayersNotFoundException", `layer ${d} not found`);
    }
    const tag = input.imageTag!;
    const current = r.tags.get(tag);
    if (current === digest) throw awsError("ImageAlreadyExistsException", "Image already exists");
    if (current && r.immutable)
      throw awsError("ImageTagAlreadyExistsException", `The image tag '${tag}' already exists`);
    r.manifests.set(digest, { text, mediaType: input.imageManifestMediaType! });
    r.tags.set(tag, digest);
    return {
      image: {
        repositoryName: input.repositoryName,
        imageId: { imageDigest: digest, imageTag: tag },
        imageManifest: text,
      },
    };
  });
  mock.on(BatchGetImageCommand).callsFake((input) => {
    const r = repo(input.repositoryName);
    const id = input.imageIds![0]!;
    const digest = id.imageDigest ?? (id.imageTag ? r.tags.get(id.imageTag) : undefined);
    const found = digest ? r.manifests.get(digest) : undefined;
    if (!digest || !found) return { images: [], failures: [{ imageId: id, failureCode: "ImageNotFound" }] };
    return {
      images: [
        {
          imageId: { imageDigest: digest },
          imageManifest: found.text,
          imageManifestMediaType: found.mediaType,
        },
      ],
      failures: [],
    };
  });
  mock.on(GetAuthorizationTokenCommand).resolves({
    authorizationData: [{ authorizationToken: Buffer.from("AWS:fake-password").toString("base64") }],
  });
  let blobServer: Server | undefined;
  let blobOrigin = "https://blobs.example";
  const ready = options.serveBlobs
    ? new Promise<void>((resolve) => {
        blobServer = createServer((req, res) => {
          const match = /^\/([^/]+)\/([^?]+)/.exec(req.url ?? "");
          const bytes = match ? state.get(match[1]!)?.blobs.get(match[2]!) : undefined;
          if (!bytes) res.writeHead(404).end();
          else res.end(bytes);
        });
        blobServer.listen(0, "127.0.0.1", () => {
          blobOrigin = `http://127.0.0.1:${(blobServer!.address() as AddressInfo).port}`;
          resolve();
        });
      })
    : Promise.resolve();
  const close = () =>
    new Promise<void>((resolve) => (blobServer ? blobServer.close(() => resolve()) : resolve()));
  mock.on(GetDownloadUrlForLayerCommand).callsFake((input) => {
    const r = repo(input.repositoryName);
    if (!r.blobs.has(input.layerDigest!)) throw awsError("LayersNotFoundException", "no layer");
    return {
      downloadUrl: `${blobOrigin}/${input.repositoryName}/${input.layerDigest}?X-Amz-Signature=secret`,
      layerDigest: input.layerDigest,
    };
  });

  /** Stands in for the presigned URL download. */
  const download = async (url: string) => {
    const [, name, digest] = /^https?:\/\/[^/]+\/([^/]+)\/([^?]+)/.exec(url)!;
    return new Uint8Array(repo(name).blobs.get(digest!)!);
  };
  return { client, mock, state, download, ready, close };
}
