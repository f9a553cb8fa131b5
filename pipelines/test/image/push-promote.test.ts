import { randomBytes } from "node:crypto";
import {
  BatchCheckLayerAvailabilityCommand,
  CompleteLayerUploadCommand,
  InitiateLayerUploadCommand,
  PutImageCommand,
  UploadLayerPartCommand,
} from "@aws-sdk/client-ecr";
import { type ImageConfig, packImage } from "@platform/image-format";
import { describe, expect, it } from "vitest";
import { ImageError, type PushProgress, promoteImage, pushImage } from "../../src/image/index.js";
import { fakeEcr } from "./fake-ecr.js";

const config: ImageConfig = {
  Entrypoint: ["node", "main.js"],
  WorkingDir: "/app",
  ExposedPorts: { "3000/tcp": {} },
};
// Random bytes do not compress: the layer stays ~40 KiB and is uploaded in several parts.
const bigFile = () => ({ path: "main.js", content: randomBytes(40_000) });

function callNames(mock: ReturnType<typeof fakeEcr>["mock"]): string[] {
  return mock
    .calls()
    .map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, ""));
}

describe("pushImage", () => {
  it("checks, uploads missing blobs in parts, then puts the manifest", async () => {
    const ecr = fakeEcr({ "api-qa": {} });
    const image = await packImage({ files: [bigFile()], config });
    const events: PushProgress[] = [];
    const result = await pushImage(ecr.client, "api-qa", "abc1234", image, {
      partSize: 10_000,
      onProgress: (e) => events.push(e),
    });
    const layerParts = Math.ceil(image.layers[0]!.size / 10_000);
    expect(layerParts).toBeGreaterThan(3);
    expect(callNames(ecr.mock)).toEqual([
      "DescribeRepositories",
      "BatchCheckLayerAvailability",
      "InitiateLayerUpload",
      "UploadLayerPart",
      "CompleteLayerUpload",
      "InitiateLayerUpload",
      ...Array(layerParts).fill("UploadLayerPart"),
      "CompleteLayerUpload",
      "PutImage",
    ]);
    expect(result).toMatchObject({
      imageDigest: image.manifestDigest,
      repositoryUri: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api-qa",
      imageUri: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api-qa:abc1234",
      pinnedUri: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/api-qa@${image.manifestDigest}`,
      alreadyExisted: false,
      uploadedBlobs: 2,
      uploadedBytes: image.config.size + image.layers[0]!.size,
    });
    const put = ecr.mock.commandCalls(PutImageCommand)[0]!.args[0].input;
    expect(put.imageManifest).toBe(image.manifestBytes.toString("utf8"));
    expect(put.imageManifestMediaType).toBe("application/vnd.docker.distribution.manifest.v2+json");
    const lastUpload = events.filter((e) => e.kind === "blob-upload").at(-1);
    expect(lastUpload).toMatchObject({ uploaded: image.layers[0]!.size, size: image.layers[0]!.size });
    expect(events.at(-1)).toMatchObject({ kind: "manifest", tag: "abc1234" });
  });

  it("uploads nothing the repository already has", async () => {
    const ecr = fakeEcr({ "api-qa": {} });
    const image = await packImage({ files: [{ path: "a.js", content: "a" }], config });
    await pushImage(ecr.client, "api-qa", "one", image);
    ecr.mock.resetHistory();
    const again = await pushImage(ecr.client, "api-qa", "two", image);
    expect(ecr.mock.commandCalls(InitiateLayerUploadCommand)).toHaveLength(0);
    expect(again).toMatchObject({ uploadedBlobs: 0, skippedBlobs: 2, alreadyExisted: false });
  });

  it("succeeds as 'already there' when the same image is pushed under the same tag again", async () => {
    const ecr = fakeEcr({ "api-qa": { immutable: true } });
    const image = await packImage({ files: [{ path: "a.js", content: "a" }], config });
    await pushImage(ecr.client, "api-qa", "abc1234", image);
    const again = await pushImage(ecr.client, "api-qa", "abc1234", image);
    expect(again.alreadyExisted).toBe(true);
    expect(again.imageDigest).toBe(image.manifestDigest);
  });

  it("fails with ECR's ImageTagAlreadyExistsException, explained, when an immutable tag points elsewhere", async () => {
    const ecr = fakeEcr({ "api-qa": { immutable: true } });
    const first = await packImage({ files: [{ path: "a.js", content: "a" }], config });
    const second = await packImage({ files: [{ path: "a.js", content: "b" }], config });
    await pushImage(ecr.client, "api-qa", "abc1234", first);
    const failure = pushImage(ecr.client, "api-qa", "abc1234", second);
    await expect(failure).rejects.toBeInstanceOf(ImageError);
    await expect(failure).rejects.toMatchObject({ code: "ImageTagAlreadyExistsException" });
    await expect(failure).rejects.toThrow(
      `tag "abc1234" in repository api-qa already points to ${first.manifestDigest}, and the repository's tags are immutable`,
    );
    expect(ecr.state.get("api-qa")!.tags.get("abc1234")).toBe(first.manifestDigest);
  });

  it("moves a tag in a MUTABLE repository", async () => {
    const ecr = fakeEcr({ "api-qa": { immutable: false } });
    await pushImage(
      ecr.client,
      "api-qa",
      "latest",
      await packImage({ files: [{ path: "a", content: "1" }], config }),
    );
    const second = await packImage({ files: [{ path: "a", content: "2" }], config });
    await pushImage(ecr.client, "api-qa", "latest", second);
    expect(ecr.state.get("api-qa")!.tags.get("latest")).toBe(second.manifestDigest);
  });

  it("says which repository is missing, and rejects a malformed tag before calling ECR", async () => {
    const ecr = fakeEcr({});
    const image = await packImage({ files: [{ path: "a", content: "1" }], config });
    await expect(pushImage(ecr.client, "api-qa", "t1", image)).rejects.toThrow(
      'repository "api-qa" does not exist',
    );
    await expect(pushImage(ecr.client, "api-qa", "-bad tag", image)).rejects.toThrow(
      '"-bad tag" is not a valid image tag',
    );
    expect(ecr.mock.commandCalls(BatchCheckLayerAvailabilityCommand)).toHaveLength(0);
  });

  it("reports the failing part's call and ECR's error name", async () => {
    const ecr = fakeEcr({ "api-qa": {} });
    ecr.mock
      .on(UploadLayerPartCommand)
      .rejects(Object.assign(new Error("boom"), { name: "InvalidLayerPartException" }));
    const image = await packImage({ files: [{ path: "a", content: "1" }], config });
    await expect(pushImage(ecr.client, "api-qa", "t1", image)).rejects.toThrow(
      /UploadLayerPart sha256:[0-9a-f]{64} bytes 0-\d+ failed: InvalidLayerPartException: boom/,
    );
    expect(ecr.mock.commandCalls(CompleteLayerUploadCommand)).toHaveLength(0);
  });
});

describe("promoteImage", () => {
  it("copies the image to the target repository under the same digest, uploading only missing blobs", async () => {
    const ecr = fakeEcr({ "api-qa": {}, "api-prod": {} });
    const image = await packImage({ files: [bigFile()], config });
    await pushImage(ecr.client, "api-qa", "abc1234", image);
    ecr.mock.resetHistory();
    const result = await promoteImage(
      ecr.client,
      {
        from: { repositoryName: "api-qa", tag: "abc1234" },
        to: { repositoryName: "api-prod", tag: "abc1234" },
      },
      { download: ecr.download },
    );
    expect(result).toMatchObject({
      imageDigest: image.manifestDigest,
      copiedBlobs: 2,
      alreadyExisted: false,
    });
    const prod = ecr.state.get("api-prod")!;
    expect(prod.tags.get("abc1234")).toBe(image.manifestDigest);
    expect(prod.manifests.get(image.manifestDigest)!.text).toBe(image.manifestBytes.toString("utf8"));
    expect(callNames(ecr.mock).filter((n) => n === "GetDownloadUrlForLayer")).toHaveLength(2);

    ecr.mock.resetHistory();
    const again = await promoteImage(
      ecr.client,
      {
        from: { repositoryName: "api-qa", digest: image.manifestDigest },
        to: { repositoryName: "api-prod", tag: "abc1234" },
      },
      { download: ecr.download },
    );
    expect(again).toMatchObject({ alreadyExisted: true, copiedBlobs: 0 });
    expect(ecr.mock.commandCalls(InitiateLayerUploadCommand)).toHaveLength(0);
  });

  it("says the source image does not exist", async () => {
    const ecr = fakeEcr({ "api-qa": {}, "api-prod": {} });
    await expect(
      promoteImage(ecr.client, {
        from: { repositoryName: "api-qa", tag: "nope" },
        to: { repositoryName: "api-prod", tag: "nope" },
      }),
    ).rejects.toThrow("image api-qa:nope does not exist; push it before promoting it");
  });

  it("refuses a downloaded blob whose content does not match its digest", async () => {
    const ecr = fakeEcr({ "api-qa": {}, "api-prod": {} });
    const image = await packImage({ files: [{ path: "a", content: "1" }], config });
    await pushImage(ecr.client, "api-qa", "t1", image);
    const tampered = async () => new Uint8Array([1, 2, 3]);
    await expect(
      promoteImage(
        ecr.client,
        { from: { repositoryName: "api-qa", tag: "t1" }, to: { repositoryName: "api-prod", tag: "t1" } },
        { download: tampered },
      ),
    ).rejects.toThrow(/has another digest; refusing it/);
    expect(ecr.state.get("api-prod")!.tags.size).toBe(0);
  });

  it("fails clearly when prod's immutable tag already points at another image", async () => {
    const ecr = fakeEcr({ "api-qa": {}, "api-prod": {} });
    const qa = await packImage({ files: [{ path: "a", content: "qa" }], config });
    const other = await packImage({ files: [{ path: "a", content: "other" }], config });
    await pushImage(ecr.client, "api-qa", "t1", qa);
    await pushImage(ecr.client, "api-prod", "t1", other);
    await expect(
      promoteImage(
        ecr.client,
        { from: { repositoryName: "api-qa", tag: "t1" }, to: { repositoryName: "api-prod", tag: "t1" } },
        { download: ecr.download },
      ),
    ).rejects.toMatchObject({ code: "ImageTagAlreadyExistsException" });
  });
});
