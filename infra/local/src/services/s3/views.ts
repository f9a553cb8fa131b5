import { XMLBuilder, XMLParser } from "fast-xml-parser";
import { AwsError } from "../../contracts.js";
import type { ListResult, S3Bucket, S3Object, S3Part, S3Upload } from "./model.js";

// Records → S3's XML documents, and the one XML document S3 reads here (CompleteMultipartUpload).

const NS = "http://s3.amazonaws.com/doc/2006-03-01/";
const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  suppressEmptyNode: false,
});
const parser = new XMLParser({
  ignoreAttributes: true,
  isArray: (name) => name === "Part",
  parseTagValue: false,
});

export function xmlDocument(root: string, body: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: { "@xmlns": NS, ...body } })}`;
}

export function errorDocument(
  error: AwsError,
  requestId: string,
  extra: Record<string, string> = {},
): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({
    Error: { Code: error.code, Message: error.message, ...extra, RequestId: requestId },
  })}`;
}

export const quoted = (etag: string) => `"${etag}"`;
const iso = (ms: number) => new Date(ms).toISOString();

export function listBucketsView(buckets: { name: string; bucket: S3Bucket }[], accountId: string): string {
  return xmlDocument("ListAllMyBucketsResult", {
    Owner: { ID: accountId, DisplayName: "local" },
    Buckets: {
      Bucket: buckets.map(({ name, bucket }) => ({
        Name: name,
        CreationDate: iso(bucket.createdAt),
        BucketRegion: bucket.region,
      })),
    },
  });
}

export interface ListView {
  prefix?: string | undefined;
  delimiter?: string | undefined;
  maxKeys: number;
  token?: string | undefined;
  startAfter?: string | undefined;
  /** `encoding-type=url`: names URL-encoded, as botocore asks and then decodes. */
  urlEncoded: boolean;
}

export function listObjectsView(bucket: string, request: ListView, result: ListResult): string {
  const name = request.urlEncoded ? encodeURIComponent : (s: string) => s;
  return xmlDocument("ListBucketResult", {
    Name: bucket,
    Prefix: name(request.prefix ?? ""),
    ...(request.delimiter ? { Delimiter: name(request.delimiter) } : {}),
    MaxKeys: request.maxKeys,
    ...(request.urlEncoded ? { EncodingType: "url" } : {}),
    KeyCount: result.objects.length + result.commonPrefixes.length,
    IsTruncated: result.truncated,
    ...(request.token ? { ContinuationToken: request.token } : {}),
    ...(result.nextToken ? { NextContinuationToken: result.nextToken } : {}),
    ...(request.startAfter ? { StartAfter: name(request.startAfter) } : {}),
    Contents: result.objects.map(({ key, object }) => objectEntry(name(key), object)),
    CommonPrefixes: result.commonPrefixes.map((prefix) => ({ Prefix: name(prefix) })),
  });
}

function objectEntry(key: string, object: S3Object): Record<string, unknown> {
  return {
    Key: key,
    LastModified: iso(object.lastModified),
    ETag: quoted(object.etag),
    Size: object.size,
    StorageClass: "STANDARD",
  };
}

export function initiateUploadView(bucket: string, key: string, uploadId: string): string {
  return xmlDocument("InitiateMultipartUploadResult", { Bucket: bucket, Key: key, UploadId: uploadId });
}

export function completeUploadView(location: string, bucket: string, key: string, etag: string): string {
  return xmlDocument("CompleteMultipartUploadResult", {
    Location: location,
    Bucket: bucket,
    Key: key,
    ETag: quoted(etag),
  });
}

export function listPartsView(
  bucket: string,
  key: string,
  uploadId: string,
  upload: S3Upload,
  parts: { partNumber: number; part: S3Part }[],
): string {
  return xmlDocument("ListPartsResult", {
    Bucket: bucket,
    Key: key,
    UploadId: uploadId,
    StorageClass: "STANDARD",
    MaxParts: 1000,
    IsTruncated: false,
    Initiated: iso(upload.initiated),
    Part: parts.map(({ partNumber, part }) => ({
      PartNumber: partNumber,
      LastModified: iso(part.lastModified),
      ETag: quoted(part.etag),
      Size: part.size,
    })),
  });
}

export function copyObjectView(object: S3Object): string {
  return xmlDocument("CopyObjectResult", {
    LastModified: iso(object.lastModified),
    ETag: quoted(object.etag),
  });
}

/** The parts a CompleteMultipartUpload body names, in its order. */
export function parseCompletion(xml: string): { partNumber: number; etag: string }[] {
  let doc: { CompleteMultipartUpload?: { Part?: { PartNumber?: string; ETag?: string }[] } };
  try {
    doc = parser.parse(xml, true);
  } catch {
    throw malformedXml();
  }
  const parts = doc.CompleteMultipartUpload?.Part;
  if (!Array.isArray(parts)) throw malformedXml();
  return parts.map((part) => {
    const partNumber = Number(part.PartNumber);
    if (!Number.isInteger(partNumber) || typeof part.ETag !== "string") throw malformedXml();
    return { partNumber, etag: part.ETag };
  });
}

function malformedXml(): AwsError {
  return new AwsError(
    "MalformedXML",
    "The XML you provided was not well-formed or did not validate against our published schema",
  );
}
