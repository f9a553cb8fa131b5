import { createHash, randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import { AwsError, type Durable, type RestCall } from "../../contracts.js";
import { header, type ReceivedBody, receiveBody } from "./body.js";
import { addressOf, copySourceOf, maxKeysOf, partNumberOf, userMetadata } from "./input.js";
import { resolveRange, type S3Model, type S3Object, type S3State } from "./model.js";
import type { ObjectFiles } from "./object-files.js";
import {
  completeUploadView,
  copyObjectView,
  errorDocument,
  initiateUploadView,
  listBucketsView,
  listObjectsView,
  listPartsView,
  parseCompletion,
  quoted,
} from "./views.js";

// S3's REST operations: the method, the address and the query name the operation; each one reads
// its body (streamed to a file), changes the model, commits, then answers. Bodies are deleted only
// once the change that dropped them is on disk.

type Handler = (call: RestCall, bucket: string, key: string) => Promise<void>;

const MAX_XML_BODY = 1024 * 1024;
const RESPONSE_OVERRIDES = [
  "content-type",
  "content-language",
  "expires",
  "cache-control",
  "content-disposition",
  "content-encoding",
];

export function s3Handler(model: S3Model, durable: Durable<S3State>, files: ObjectFiles) {
  const commit = (dropped: (string | undefined)[] = []) => {
    durable.commit();
    for (const blob of dropped) files.delete(blob);
  };

  const bucketOps: Record<string, (call: RestCall, bucket: string) => Promise<void> | void> = {
    PUT: ({ res, ctx }, bucket) => {
      model.createBucket(bucket, ctx.region, Date.now());
      commit();
      res.writeHead(200, { location: `/${bucket}`, ...ids(ctx.requestId) }).end();
    },
    HEAD: ({ res, ctx }, bucket) => {
      const { region } = model.bucket(bucket);
      res.writeHead(200, { "x-amz-bucket-region": region, ...ids(ctx.requestId) }).end();
    },
    DELETE: ({ res, ctx }, bucket) => {
      model.deleteBucket(bucket);
      commit();
      res.writeHead(204, ids(ctx.requestId)).end();
    },
    GET: ({ req, res, ctx }, bucket) => {
      const query = addressOf(req).query;
      if (query.has("location")) {
        const region = model.bucket(bucket).region;
        return sendXml(
          res,
          ctx.requestId,
          `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${region === "us-east-1" ? "" : region}</LocationConstraint>`,
        );
      }
      const request = {
        prefix: query.get("prefix") ?? undefined,
        delimiter: query.get("delimiter") ?? undefined,
        startAfter: query.get("start-after") ?? undefined,
        token: query.get("continuation-token") ?? undefined,
        maxKeys: maxKeysOf(query),
        urlEncoded: query.get("encoding-type") === "url",
      };
      const result = model.list(bucket, { ...request, continuationToken: request.token });
      sendXml(res, ctx.requestId, listObjectsView(bucket, request, result));
    },
  };

  /** A streamed body kept under `store`'s record, or deleted if the model refuses it. */
  const storeBody = async (
    call: RestCall,
    store: (body: ReceivedBody, now: number) => string | undefined,
  ): Promise<void> => {
    const body = await receiveBody(call, files);
    let replaced: string | undefined;
    try {
      replaced = store(body, Date.now());
    } catch (error) {
      files.delete(body.blob);
      throw error;
    }
    commit([replaced]);
    call.res
      .writeHead(200, {
        etag: quoted(body.md5),
        ...checksumHeaders(body.checksums),
        ...ids(call.ctx.requestId),
      })
      .end();
  };

  const putObject: Handler = async (call, bucket, key) => {
    model.bucket(bucket);
    const copySource = header(call.req, "x-amz-copy-source");
    if (copySource) return copyObject(call, bucket, key, copySource);
    const contentType = header(call.req, "content-type") ?? "binary/octet-stream";
    const metadata = userMetadata(call.req);
    await storeBody(call, (body, now) =>
      model.putObject(bucket, key, {
        size: body.size,
        etag: body.md5,
        contentType,
        lastModified: now,
        blob: body.blob,
        metadata,
        checksums: body.checksums,
      }),
    );
  };

  const copyObject = async (call: RestCall, bucket: string, key: string, copySource: string) => {
    call.req.resume();
    const source = copySourceOf(copySource);
    const original = model.object(source.bucket, source.key);
    const replace = header(call.req, "x-amz-metadata-directive") === "REPLACE";
    const blob = await files.concat([original.blob]);
    const object: S3Object = {
      ...original,
      blob,
      lastModified: Date.now(),
      ...(replace
        ? {
            metadata: userMetadata(call.req),
            contentType: header(call.req, "content-type") ?? original.contentType,
          }
        : {}),
    };
    commit([model.putObject(bucket, key, object)]);
    sendXml(call.res, call.ctx.requestId, copyObjectView(object));
  };

  const uploadPart: Handler = async (call, bucket, key) => {
    const query = addressOf(call.req).query;
    const uploadId = query.get("uploadId")!;
    const partNumber = partNumberOf(query);
    model.upload(uploadId, bucket, key);
    await storeBody(call, (body, now) =>
      model.putPart(uploadId, bucket, key, partNumber, {
        size: body.size,
        etag: body.md5,
        blob: body.blob,
        lastModified: now,
        checksums: body.checksums,
      }),
    );
  };

  const getObject =
    (head: boolean): Handler =>
    async ({ req, res, ctx }, bucket, key) => {
      const query = addressOf(req).query;
      if (!head && query.has("uploadId")) {
        const uploadId = query.get("uploadId")!;
        const upload = model.upload(uploadId, bucket, key);
        return sendXml(
          res,
          ctx.requestId,
          listPartsView(bucket, key, uploadId, upload, model.parts(uploadId, bucket, key)),
        );
      }
      const object = model.object(bucket, key);
      const range = resolveRange(header(req, "range"), object.size);
      const headers: Record<string, string | number> = {
        "content-type": object.contentType,
        "content-length": range ? range.end - range.start + 1 : object.size,
        etag: quoted(object.etag),
        "last-modified": new Date(object.lastModified).toUTCString(),
        "accept-ranges": "bytes",
        ...Object.fromEntries(Object.entries(object.metadata).map(([k, v]) => [`x-amz-meta-${k}`, v])),
        ...ids(ctx.requestId),
      };
      // Presigned URLs may ask for other headers: `response-content-type=...` and its kin.
      for (const name of RESPONSE_OVERRIDES) {
        const value = query.get(`response-${name}`);
        if (value !== null) headers[name] = value;
      }
      if (range) headers["content-range"] = `bytes ${range.start}-${range.end}/${object.size}`;
      // Checksums describe the whole object, so a ranged read has none (as S3 answers).
      if (!range && header(req, "x-amz-checksum-mode")?.toUpperCase() === "ENABLED")
        Object.assign(headers, checksumHeaders(object.checksums));
      res.writeHead(range ? 206 : 200, headers);
      if (head || object.size === 0) return void res.end();
      // A client that goes away mid-body is no failure of ours: the stream is just cut.
      await pipeline(files.read(object.blob, range), res).catch(() => res.destroy());
    };

  const deleteObject: Handler = async ({ req, res, ctx }, bucket, key) => {
    const uploadId = addressOf(req).query.get("uploadId");
    if (uploadId !== null) {
      commit(model.finishUpload(uploadId, bucket, key));
      return void res.writeHead(204, ids(ctx.requestId)).end();
    }
    commit([model.deleteObject(bucket, key)]);
    res.writeHead(204, ids(ctx.requestId)).end();
  };

  const postObject: Handler = async (call, bucket, key) => {
    const { req, res, ctx } = call;
    const query = addressOf(req).query;
    if (query.has("uploads")) {
      req.resume();
      const uploadId = randomUUID().replaceAll("-", "");
      model.createUpload(uploadId, {
        bucket,
        key,
        initiated: Date.now(),
        contentType: header(req, "content-type") ?? "binary/octet-stream",
        metadata: userMetadata(req),
      });
      commit();
      return sendXml(res, ctx.requestId, initiateUploadView(bucket, key, uploadId));
    }
    const uploadId = query.get("uploadId");
    if (uploadId === null)
      throw new AwsError(
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
        405,
      );
    const upload = model.upload(uploadId, bucket, key);
    const requested = parseCompletion(await readSmallBody(call));
    const done = model.completion(uploadId, bucket, key, requested);
    const blob = await files.concat(done.parts.map((p) => p.blob));
    const object: S3Object = {
      size: done.size,
      etag: done.etag,
      contentType: upload.contentType,
      lastModified: Date.now(),
      blob,
      metadata: upload.metadata,
      checksums: {},
    };
    const replaced = model.putObject(bucket, key, object);
    commit([replaced, ...model.finishUpload(uploadId, bucket, key)]);
    const host = header(req, "host") ?? "localhost";
    sendXml(
      res,
      ctx.requestId,
      completeUploadView(`http://${host}/${bucket}/${key}`, bucket, key, done.etag),
    );
  };

  const objectOps: Record<string, Handler> = {
    PUT: (call, bucket, key) =>
      addressOf(call.req).query.has("uploadId")
        ? uploadPart(call, bucket, key)
        : putObject(call, bucket, key),
    GET: getObject(false),
    HEAD: getObject(true),
    DELETE: deleteObject,
    POST: postObject,
  };

  return async (call: RestCall): Promise<void> => {
    const { bucket, key, query } = addressOf(call.req);
    const method = call.req.method ?? "GET";
    refuseUnsupported(query);
    if (!bucket) {
      if (method !== "GET") throw notAllowed();
      call.req.resume();
      return sendXml(call.res, call.ctx.requestId, listBucketsView(model.listBuckets(), call.ctx.accountId));
    }
    if (key === undefined) {
      const op = bucketOps[method];
      if (!op) throw notAllowed();
      call.req.resume();
      return op(call, bucket);
    }
    const op = objectOps[method];
    if (!op) throw notAllowed();
    return op(call, bucket, key);
  };
}

/** S3's errors: XML, but a HEAD answer has no body (the SDKs then read the status: NotFound). */
export function sendS3Error(res: ServerResponse, error: AwsError, requestId: string): void {
  const head = res.req?.method === "HEAD";
  const text = head ? "" : errorDocument(error, requestId);
  res.writeHead(error.status, {
    "content-type": "application/xml",
    "content-length": Buffer.byteLength(text),
    ...ids(requestId),
  });
  res.end(text);
}

function notAllowed(): AwsError {
  return new AwsError("MethodNotAllowed", "The specified method is not allowed against this resource.", 405);
}

function sendXml(res: ServerResponse, requestId: string, xml: string): void {
  res.writeHead(200, {
    "content-type": "application/xml",
    "content-length": Buffer.byteLength(xml),
    ...ids(requestId),
  });
  res.end(xml);
}

function ids(requestId: string): Record<string, string> {
  return { "x-amz-request-id": requestId, "x-amz-id-2": requestId };
}

function checksumHeaders(checksums: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(checksums).map(([a, v]) => [`x-amz-checksum-${a}`, v]));
}

/**
 * Sub-resources S3 has and this one does not (ACLs, tagging, versioning, DeleteObjects, ...): refused
 * as NotImplemented rather than answered as the plain operation on the same path. `X-Amz-*` are a
 * presigned URL's signature and the headers it hoisted into the query (x-amz-checksum-mode, ...).
 */
const SUPPORTED_QUERY = new Set([
  "list-type",
  "prefix",
  "delimiter",
  "max-keys",
  "continuation-token",
  "start-after",
  "encoding-type",
  "fetch-owner",
  "location",
  "uploads",
  "uploadId",
  "partNumber",
  "x-id",
]);

function refuseUnsupported(query: URLSearchParams): void {
  for (const name of query.keys()) {
    if (
      !SUPPORTED_QUERY.has(name) &&
      !name.toLowerCase().startsWith("x-amz-") &&
      !(name.startsWith("response-") && RESPONSE_OVERRIDES.includes(name.slice(9)))
    ) {
      throw new AwsError("NotImplemented", `The local region's S3 does not implement '${name}'`, 501);
    }
  }
}

/** A small XML body (CompleteMultipartUpload), read whole and checked against its signed hash. */
async function readSmallBody(call: RestCall): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of call.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_XML_BODY) throw new AwsError("MaxMessageLengthExceeded", "Your request was too big.");
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  const declared = call.signing.payloadHash;
  if (/^[0-9a-f]{64}$/.test(declared) && createHash("sha256").update(body).digest("hex") !== declared) {
    throw new AwsError(
      "XAmzContentSHA256Mismatch",
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }
  return body.toString("utf8");
}
