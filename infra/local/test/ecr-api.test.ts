import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  BatchCheckLayerAvailabilityCommand,
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DeleteLifecyclePolicyCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetDownloadUrlForLayerCommand,
  GetLifecyclePolicyCommand,
  InitiateLayerUploadCommand,
  ListImagesCommand,
  PutImageCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  paginateDescribeRepositories,
  UploadLayerPartCommand,
} from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImageRegistry, RegionPlugin } from "../src/contracts.js";
import { startTestRegion, type TestRegion } from "../src/testing/index.js";

let region: TestRegion;
let ecr: ECRClient;
let images: ImageRegistry;

const capture: RegionPlugin = {
  name: "capture",
  start: (services) => {
    images = services.images;
  },
  stop: () => {},
};

beforeAll(async () => {
  region = await startTestRegion([capture]);
  ecr = region.client(ECRClient);
});
afterAll(async () => {
  await region.cleanup();
});

const sha = (b: Buffer | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

async function errorName(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (e: { name?: string }) => e.name,
  );
}

/** The layer push path a docker client uses: initiate, parts, complete with the digest. */
async function pushBlob(repositoryName: string, bytes: Buffer): Promise<string> {
  const digest = sha(bytes);
  const check = await ecr.send(
    new BatchCheckLayerAvailabilityCommand({ repositoryName, layerDigests: [digest] }),
  );
  if (check.layers?.[0]?.layerAvailability === "AVAILABLE") return digest;
  const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
  const half = Math.ceil(bytes.length / 2);
  const parts = [bytes.subarray(0, half), bytes.subarray(half)];
  let first = 0;
  for (const part of parts) {
    const out = await ecr.send(
      new UploadLayerPartCommand({
        repositoryName,
        uploadId,
        partFirstByte: first,
        partLastByte: first + part.length - 1,
        layerPartBlob: part,
      }),
    );
    expect(out.lastByteReceived).toBe(first + part.length - 1);
    first += part.length;
  }
  await ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [digest] }));
  return digest;
}

async function pushImage(repositoryName: string, tag: string | undefined, version: string) {
  const layer = Buffer.from(`layer of ${version}`);
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      config: { Entrypoint: ["node"], Cmd: ["server.js"], Env: [`VERSION=${version}`] },
    }),
  );
  const layerDigest = await pushBlob(repositoryName, layer);
  const configDigest = await pushBlob(repositoryName, config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: {
      mediaType: "application/vnd.docker.container.image.v1+json",
      size: config.length,
      digest: configDigest,
    },
    layers: [
      {
        mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip",
        size: layer.length,
        digest: layerDigest,
      },
    ],
  });
  const out = await ecr.send(new PutImageCommand({ repositoryName, imageManifest: manifest, imageTag: tag }));
  return { manifest, digest: out.image!.imageId!.imageDigest!, layerDigest, layer };
}

describe("ECR through @aws-sdk/client-ecr", () => {
  it("creates and describes repositories with their settings and URI", async () => {
    const out = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: "api-qa",
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        tags: [{ Key: "env", Value: "qa" }],
      }),
    );
    expect(out.repository).toMatchObject({
      repositoryName: "api-qa",
      repositoryArn: "arn:aws:ecr:us-east-1:000000000000:repository/api-qa",
      repositoryUri: `000000000000.dkr.ecr.us-east-1.localhost:${region.port}/api-qa`,
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
    });
    expect(out.repository?.createdAt).toBeInstanceOf(Date);
    expect(await errorName(ecr.send(new CreateRepositoryCommand({ repositoryName: "api-qa" })))).toBe(
      "RepositoryAlreadyExistsException",
    );
    expect(await errorName(ecr.send(new CreateRepositoryCommand({ repositoryName: "Bad_Name" })))).toBe(
      "InvalidParameterException",
    );
    expect(await errorName(ecr.send(new CreateRepositoryCommand({ repositoryName: "a".repeat(257) })))).toBe(
      "InvalidParameterException",
    );
    expect(await errorName(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["missing"] })))).toBe(
      "RepositoryNotFoundException",
    );
    const scan = await ecr.send(
      new PutImageScanningConfigurationCommand({
        repositoryName: "api-qa",
        imageScanningConfiguration: { scanOnPush: false },
      }),
    );
    expect(scan.imageScanningConfiguration?.scanOnPush).toBe(false);
    const described = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["api-qa"] }));
    expect(described.repositories?.[0]?.imageScanningConfiguration?.scanOnPush).toBe(false);
  });

  it("pushes layers and images, refuses tag overwrites on an immutable repository and missing layers", async () => {
    const v1 = await pushImage("api-qa", "v1", "1");
    expect(v1.digest).toBe(sha(v1.manifest));
    expect(await errorName(pushImage("api-qa", "v1", "2"))).toBe("ImageTagAlreadyExistsException");
    expect(
      await errorName(
        ecr.send(
          new PutImageCommand({ repositoryName: "api-qa", imageManifest: v1.manifest, imageTag: "v1" }),
        ),
      ),
    ).toBe("ImageAlreadyExistsException");
    const missingLayer = JSON.stringify({
      schemaVersion: 2,
      config: { digest: sha("nope-config") },
      layers: [{ digest: sha("nope") }],
    });
    expect(
      await errorName(
        ecr.send(
          new PutImageCommand({ repositoryName: "api-qa", imageManifest: missingLayer, imageTag: "v9" }),
        ),
      ),
    ).toBe("LayersNotFoundException");
    expect(
      await errorName(
        ecr.send(
          new PutImageCommand({ repositoryName: "api-qa", imageManifest: "{not json", imageTag: "v9" }),
        ),
      ),
    ).toBe("InvalidParameterException");

    const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: "api-qa" }));
    await ecr.send(
      new UploadLayerPartCommand({
        repositoryName: "api-qa",
        uploadId,
        partFirstByte: 0,
        partLastByte: 2,
        layerPartBlob: Buffer.from("abc"),
      }),
    );
    expect(
      await errorName(
        ecr.send(
          new CompleteLayerUploadCommand({ repositoryName: "api-qa", uploadId, layerDigests: [sha("xyz")] }),
        ),
      ),
    ).toBe("InvalidLayerException");

    const details = await ecr.send(new DescribeImagesCommand({ repositoryName: "api-qa" }));
    expect(details.imageDetails).toHaveLength(1);
    expect(details.imageDetails?.[0]).toMatchObject({
      imageDigest: v1.digest,
      imageTags: ["v1"],
      imageSizeInBytes: v1.layer.length,
      imageManifestMediaType: "application/vnd.docker.distribution.manifest.v2+json",
    });
    expect(details.imageDetails?.[0]?.imagePushedAt).toBeInstanceOf(Date);

    const got = await ecr.send(
      new BatchGetImageCommand({
        repositoryName: "api-qa",
        imageIds: [{ imageTag: "v1" }, { imageTag: "v404" }],
      }),
    );
    expect(got.images?.[0]?.imageManifest).toBe(v1.manifest);
    expect(got.failures?.[0]).toMatchObject({ imageId: { imageTag: "v404" }, failureCode: "ImageNotFound" });

    const url = await ecr.send(
      new GetDownloadUrlForLayerCommand({ repositoryName: "api-qa", layerDigest: v1.layerDigest }),
    );
    const body = Buffer.from(await (await fetch(url.downloadUrl!)).arrayBuffer());
    expect(body.equals(v1.layer)).toBe(true);

    const byTag = images.resolve(`000000000000.dkr.ecr.us-east-1.localhost:${region.port}/api-qa:v1`);
    expect(byTag?.imageDigest).toBe(v1.digest);
    expect(byTag?.config.Env).toEqual(["VERSION=1"]);
    expect(readFileSync(byTag!.layerFiles[0]!).equals(v1.layer)).toBe(true);
    expect(
      images.resolve(`000000000000.dkr.ecr.us-east-1.localhost:${region.port}/api-qa@${v1.digest}`)
        ?.imageDigest,
    ).toBe(v1.digest);
    expect(
      images.resolve(`000000000000.dkr.ecr.us-east-1.localhost:${region.port}/api-qa:v404`),
    ).toBeUndefined();

    const token = await ecr.send(new GetAuthorizationTokenCommand({}));
    expect(Buffer.from(token.authorizationData![0]!.authorizationToken!, "base64").toString()).toMatch(
      /^AWS:/,
    );
  });

  it("moves a tag on a mutable repository and applies the lifecycle policy on push", async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: "api-prod" }));
    await ecr.send(
      new PutImageTagMutabilityCommand({ repositoryName: "api-prod", imageTagMutability: "MUTABLE" }),
    );
    expect(await errorName(ecr.send(new GetLifecyclePolicyCommand({ repositoryName: "api-prod" })))).toBe(
      "LifecyclePolicyNotFoundException",
    );
    const policy = JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          description: "keep two",
          selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 2 },
          action: { type: "expire" },
        },
      ],
    });
    await ecr.send(
      new PutLifecyclePolicyCommand({ repositoryName: "api-prod", lifecyclePolicyText: policy }),
    );
    expect(
      (await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: "api-prod" }))).lifecyclePolicyText,
    ).toBe(policy);
    expect(
      await errorName(
        ecr.send(
          new PutLifecyclePolicyCommand({
            repositoryName: "api-prod",
            lifecyclePolicyText: JSON.stringify({ rules: [{ rulePriority: 1, padding: "x".repeat(100) }] }),
          }),
        ),
      ),
    ).toBe("InvalidParameterException");

    const a = await pushImage("api-prod", "latest", "a");
    await new Promise((r) => setTimeout(r, 5));
    const b = await pushImage("api-prod", "latest", "b");
    await new Promise((r) => setTimeout(r, 5));
    const listed = await ecr.send(new ListImagesCommand({ repositoryName: "api-prod" }));
    expect(listed.imageIds).toContainEqual({ imageDigest: a.digest });
    expect(listed.imageIds).toContainEqual({ imageDigest: b.digest, imageTag: "latest" });
    const c = await pushImage("api-prod", "c", "c");
    const after = (
      await ecr.send(new DescribeImagesCommand({ repositoryName: "api-prod" }))
    ).imageDetails!.map((d) => d.imageDigest);
    expect(after.sort()).toEqual([b.digest, c.digest].sort());

    await ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: "api-prod" }));
    const deleted = await ecr.send(
      new BatchDeleteImageCommand({
        repositoryName: "api-prod",
        imageIds: [{ imageTag: "c" }, { imageTag: "gone" }],
      }),
    );
    expect(deleted.imageIds).toEqual([{ imageDigest: c.digest, imageTag: "c" }]);
    expect(deleted.failures?.[0]?.imageId?.imageTag).toBe("gone");
    expect(await errorName(ecr.send(new DeleteRepositoryCommand({ repositoryName: "api-prod" })))).toBe(
      "RepositoryNotEmptyException",
    );
    await ecr.send(new DeleteRepositoryCommand({ repositoryName: "api-prod", force: true }));
    expect(await errorName(ecr.send(new DescribeImagesCommand({ repositoryName: "api-prod" })))).toBe(
      "RepositoryNotFoundException",
    );
  });

  it("pages repositories with maxResults and nextToken", async () => {
    for (const name of ["page-a", "page-b", "page-c"])
      await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const names: string[] = [];
    for await (const page of paginateDescribeRepositories({ client: ecr, pageSize: 1 }, {})) {
      expect(page.repositories?.length).toBeLessThanOrEqual(1);
      names.push(...(page.repositories ?? []).map((r) => r.repositoryName!));
    }
    expect(names).toEqual(expect.arrayContaining(["page-a", "page-b", "page-c"]));
    expect(await errorName(ecr.send(new DescribeRepositoriesCommand({ nextToken: "bogus" })))).toBe(
      "InvalidParameterException",
    );
  });
});
