import { AwsError } from "../../contracts.js";
import type { PageRequest } from "../../wire/paging.js";
import {
  type Input,
  optBool,
  optInt,
  optObject,
  optObjectList,
  optString,
  optStringList,
  reqString,
} from "../../wire/params.js";
import type { ImageId, TagStatus } from "./model.js";

// ECR's requests decoded into the model's typed inputs.

export const repositoryName = (input: Input) => reqString(input, "repositoryName");

export function createRepositoryInput(input: Input) {
  const scanning = optObject(input, "imageScanningConfiguration");
  return {
    name: repositoryName(input),
    tagMutability: optString(input, "imageTagMutability"),
    scanOnPush: scanning ? optBool(scanning, "scanOnPush") : undefined,
    tags: tagMap(input),
  };
}

export function scanOnPush(input: Input): boolean {
  const config = optObject(input, "imageScanningConfiguration");
  if (!config)
    throw new AwsError("InvalidParameterException", "imageScanningConfiguration must be specified");
  return optBool(config, "scanOnPush") ?? false;
}

export function putImageInput(input: Input) {
  return {
    manifest: reqString(input, "imageManifest"),
    mediaType: optString(input, "imageManifestMediaType"),
    tag: optString(input, "imageTag"),
    digest: optString(input, "imageDigest"),
  };
}

/** `imageIds`, each with a digest or a tag; undefined when absent and not required. */
export function imageIds(input: Input, required: boolean): ImageId[] | undefined {
  const list = optObjectList(input, "imageIds");
  if (!list || list.length === 0) {
    if (required) throw new AwsError("InvalidParameterException", "imageIds must name at least one image");
    return undefined;
  }
  return list.map((i) => {
    const id = { imageDigest: optString(i, "imageDigest"), imageTag: optString(i, "imageTag") };
    if (id.imageDigest === undefined && id.imageTag === undefined) {
      throw new AwsError("InvalidParameterException", "An image ID needs an imageDigest or an imageTag");
    }
    return id;
  });
}

export function tagStatus(input: Input): TagStatus {
  const filter = optObject(input, "filter");
  const status = (filter ? optString(filter, "tagStatus") : undefined) ?? "ANY";
  if (status === "ANY" || status === "TAGGED" || status === "UNTAGGED") return status;
  throw new AwsError(
    "InvalidParameterException",
    `Invalid parameter at 'filter.tagStatus': '${status}' must be TAGGED, UNTAGGED or ANY`,
  );
}

export function layerDigests(input: Input): string[] {
  const digests = optStringList(input, "layerDigests");
  if (!digests || digests.length === 0)
    throw new AwsError("InvalidParameterException", "layerDigests must be specified");
  return digests;
}

export function layerPart(input: Input) {
  const uploadId = reqString(input, "uploadId");
  const data = reqString(input, "layerPartBlob");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data))
    throw new AwsError("SerializationException", "'layerPartBlob' must be base64-encoded");
  return {
    uploadId,
    first: optInt(input, "partFirstByte"),
    last: optInt(input, "partLastByte"),
    data: Buffer.from(data, "base64"),
  };
}

export function completedLayer(input: Input): { uploadId: string; digest: string } {
  const uploadId = reqString(input, "uploadId");
  const digests = optStringList(input, "layerDigests");
  if (digests?.length !== 1)
    throw new AwsError("InvalidParameterException", "layerDigests must name exactly one digest");
  return { uploadId, digest: digests[0]! };
}

function tagMap(input: Input): Record<string, string> {
  const tags = optObjectList(input, "tags") ?? [];
  return Object.fromEntries(tags.map((t) => [reqString(t, "Key"), optString(t, "Value") ?? ""]));
}

/** `maxResults` (1-1000) and `nextToken` as ECR's Describe/List operations take them. */
export function pageRequest(input: Input): PageRequest {
  const n = optInt(input, "maxResults");
  if (n !== undefined && (n < 1 || n > 1000)) {
    throw new AwsError(
      "InvalidParameterException",
      "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value between 1 and 1000'",
    );
  }
  return { size: n, token: optString(input, "nextToken") };
}

export const invalidToken = () =>
  new AwsError("InvalidParameterException", "The pagination token is invalid");
