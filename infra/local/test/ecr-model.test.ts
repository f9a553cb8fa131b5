import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EcrModel, emptyEcrState } from "../src/services/ecr/model.js";
import { codeOf } from "./aws-error.js";

// ECR's rules on plain state: no blob store, no wire. Blob sizes come from a map the test fills.

const scope = { region: "us-east-1", accountId: "000000000000" };
const sha = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;
const CONFIG = sha("config");
const LAYER = sha("layer");
const blobs = new Map([
  [CONFIG, 10],
  [LAYER, 1234],
]);
const blobSize = (digest: string) => blobs.get(digest);

function manifest(layer = LAYER): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: { digest: CONFIG },
    layers: [{ digest: layer }],
  });
}

function model(day = "2026-06-01") {
  const clock = { now: new Date(`${day}T00:00:00Z`) };
  const ecr = new EcrModel(
    emptyEcrState(),
    (r) => `000000000000.dkr.ecr.${r}.localhost:4566`,
    () => clock.now,
  );
  return { ecr, clock };
}

describe("ECR model", () => {
  it("creates repositories with ARN, URI and settings, once per name", () => {
    const { ecr } = model();
    const repo = ecr.create(scope, {
      name: "api-qa",
      tagMutability: "IMMUTABLE",
      scanOnPush: true,
      tags: {},
    });
    expect(repo).toMatchObject({
      arn: "arn:aws:ecr:us-east-1:000000000000:repository/api-qa",
      uri: "000000000000.dkr.ecr.us-east-1.localhost:4566/api-qa",
      tagMutability: "IMMUTABLE",
      scanOnPush: true,
      createdAt: "2026-06-01T00:00:00.000Z",
    });
    expect(codeOf(() => ecr.create(scope, { name: "api-qa", tags: {} }))).toBe(
      "RepositoryAlreadyExistsException",
    );
    expect(codeOf(() => ecr.create(scope, { name: "Bad_Name", tags: {} }))).toBe("InvalidParameterException");
    expect(codeOf(() => ecr.create(scope, { name: "ok-name", tagMutability: "SOMETIMES", tags: {} }))).toBe(
      "InvalidParameterException",
    );
  });

  it("stores an image by the digest of its manifest, sized by its layers, and needs every blob", () => {
    const { ecr } = model();
    ecr.create(scope, { name: "api", tags: {} });
    const image = ecr.putImage("api", { manifest: manifest(), tag: "v1" }, blobSize);
    expect(image).toMatchObject({ digest: sha(manifest()), tags: ["v1"], sizeInBytes: 1234 });
    expect(
      codeOf(() => ecr.putImage("api", { manifest: manifest(sha("missing")), tag: "v2" }, blobSize)),
    ).toBe("LayersNotFoundException");
    expect(codeOf(() => ecr.putImage("api", { manifest: manifest(), tag: "v1" }, blobSize))).toBe(
      "ImageAlreadyExistsException",
    );
    expect(codeOf(() => ecr.putImage("api", { manifest: manifest(), digest: sha("other") }, blobSize))).toBe(
      "ImageDigestDoesNotMatchException",
    );
    expect(codeOf(() => ecr.putImage("api", { manifest: "{", tag: "v3" }, blobSize))).toBe(
      "InvalidParameterException",
    );
  });

  it("moves a tag on a mutable repository and refuses to on an immutable one", () => {
    const { ecr } = model();
    ecr.create(scope, { name: "api", tags: {} });
    const other = JSON.stringify({ ...JSON.parse(manifest()), annotations: { v: "2" } });
    const first = ecr.putImage("api", { manifest: manifest(), tag: "latest" }, blobSize);
    const second = ecr.putImage("api", { manifest: other, tag: "latest" }, blobSize);
    expect(first.tags).toEqual([]);
    expect(second.tags).toEqual(["latest"]);
    const repo = ecr.repository("api");
    expect(ecr.imagesByTagStatus(repo, "UNTAGGED")).toEqual([first]);
    expect(ecr.imageIdsOf(repo, "ANY")).toEqual([
      { imageDigest: first.digest },
      { imageDigest: second.digest, imageTag: "latest" },
    ]);

    ecr.setTagMutability("api", "IMMUTABLE");
    expect(codeOf(() => ecr.putImage("api", { manifest: manifest(), tag: "latest" }, blobSize))).toBe(
      "ImageTagAlreadyExistsException",
    );
  });

  it("deletes by tag (the image goes with its last tag) or by digest, and names what it missed", () => {
    const { ecr } = model();
    ecr.create(scope, { name: "api", tags: {} });
    const image = ecr.putImage("api", { manifest: manifest(), tag: "a" }, blobSize);
    ecr.putImage("api", { manifest: manifest(), tag: "b" }, blobSize);
    expect(ecr.deleteImage("api", { imageTag: "a" })).toEqual([{ imageDigest: image.digest, imageTag: "a" }]);
    expect(ecr.findImage(ecr.repository("api"), { imageDigest: image.digest })?.tags).toEqual(["b"]);
    const repo = ecr.repository("api");
    expect(ecr.missOf(repo, { imageDigest: image.digest, imageTag: "a" })).toBe("ImageTagDoesNotMatchDigest");
    expect(ecr.missOf(repo, { imageTag: "nope" })).toBe("ImageNotFound");
    expect(ecr.deleteImage("api", { imageDigest: image.digest })).toEqual([
      { imageDigest: image.digest, imageTag: "b" },
    ]);
    expect(ecr.deleteImage("api", { imageDigest: image.digest })).toBe("notFound");
    expect(codeOf(() => ecr.delete("missing", false))).toBe("RepositoryNotFoundException");
  });

  it("applies a lifecycle policy when it is put and on every push, by the model's clock", () => {
    const { ecr, clock } = model();
    ecr.create(scope, { name: "api", tags: {} });
    const old = ecr.putImage("api", { manifest: manifest() }, blobSize);
    clock.now = new Date("2026-06-20T00:00:00Z");
    const policy = JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          description: "untagged images go after a week",
          selection: {
            tagStatus: "untagged",
            countType: "sinceImagePushed",
            countUnit: "days",
            countNumber: 7,
          },
          action: { type: "expire" },
        },
      ],
    });
    ecr.putLifecyclePolicy("api", policy);
    expect(ecr.findImage(ecr.repository("api"), { imageDigest: old.digest })).toBeUndefined();
    expect(ecr.lifecyclePolicy("api")).toBe(policy);
    expect(ecr.deleteLifecyclePolicy("api")).toBe(policy);
    expect(codeOf(() => ecr.lifecyclePolicy("api"))).toBe("LifecyclePolicyNotFoundException");
  });
});
