import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type Request, type RequestHandler, type Response, Router } from "express";
import { sameSignature, signLink } from "../keys.js";
import { parseLocation, UriError, validateKey } from "../model/uris.js";
import { contentTypeOf, userKey } from "../storage/objects.js";
import { callerOf } from "./auth.js";
import type { AppContext } from "./context.js";
import { badRequest, HttpError, notFound } from "./errors.js";
import { LinkBody, parse } from "./validation.js";

// The service's own storage, per user: PUT and GET (with Range, so a <video> can seek), and
// signed links a browser can play without sending its key.

function keyOf(req: Request): string {
  const raw = req.params.key as unknown;
  const key = Array.isArray(raw) ? raw.join("/") : String(raw ?? "");
  try {
    return validateKey(key, "object key");
  } catch (error) {
    if (error instanceof UriError) throw badRequest(error.message);
    throw error;
  }
}

function sizeLimiter(max: number) {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > max) done(new HttpError(413, `object is larger than the limit of ${max} bytes`));
      else done(null, chunk);
    },
  });
}

async function sendObject(
  ctx: AppContext,
  req: Request,
  res: Response,
  physicalKey: string,
  shownKey: string,
) {
  const info = await ctx.files.userObjects.info(physicalKey);
  if (!info) throw notFound(`no object ${shownKey}`);
  res.setHeader("Accept-Ranges", "bytes");
  res.setHeader("Content-Type", info.contentType);
  const ranges = req.headers.range ? req.range(info.size) : undefined;
  if (ranges === -1) {
    res.setHeader("Content-Range", `bytes */${info.size}`);
    throw new HttpError(416, `range not satisfiable for an object of ${info.size} bytes`);
  }
  if (ranges === -2) throw badRequest("Range header is malformed");
  const range =
    Array.isArray(ranges) && ranges.length === 1 && ranges.type === "bytes" ? ranges[0] : undefined;
  if (range) {
    res.status(206);
    res.setHeader("Content-Range", `bytes ${range.start}-${range.end}/${info.size}`);
    res.setHeader("Content-Length", String(range.end - range.start + 1));
  } else {
    res.setHeader("Content-Length", String(info.size));
  }
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  const body = await ctx.files.userObjects.read(physicalKey, range);
  await pipeline(body, res).catch(() => res.destroy());
}

export function objectRoutes(ctx: AppContext, requireKey: RequestHandler): Router {
  const router = Router();

  router.put("/objects/*key", requireKey, async (req, res) => {
    const caller = callerOf(req);
    const key = keyOf(req);
    const length = req.headers["content-length"] ? Number(req.headers["content-length"]) : undefined;
    if (length !== undefined && (!Number.isInteger(length) || length < 0))
      throw badRequest("Content-Length is not valid");
    if (length !== undefined && length > ctx.maxUploadBytes)
      throw new HttpError(413, `object is larger than the limit of ${ctx.maxUploadBytes} bytes`);
    if (length === undefined && ctx.files.userObjects.description.startsWith("s3://"))
      throw new HttpError(411, "send Content-Length with the upload");
    const limited = req.pipe(sizeLimiter(ctx.maxUploadBytes));
    req.on("error", (error) => limited.destroy(error));
    const size = await ctx.files.userObjects.put(
      userKey(caller.userid, key),
      limited,
      contentTypeOf(key),
      length,
    );
    res.status(201).json({ object: `objects://${key}`, size });
  });

  router.get("/objects/*key", async (req, res, next) => {
    // A signed link plays without a key; everything else needs one.
    if (typeof req.query.sig === "string") {
      const key = keyOf(req);
      const physical = await verifyLink(ctx, req, key);
      await sendObject(ctx, req, res, physical, `objects://${key}`);
      return;
    }
    next();
  });

  router.get("/objects/*key", requireKey, async (req, res) => {
    const key = keyOf(req);
    await sendObject(ctx, req, res, userKey(callerOf(req).userid, key), `objects://${key}`);
  });

  return router;
}

export function linkRoutes(ctx: AppContext): Router {
  const router = Router();
  router.post("/links", async (req, res) => {
    const caller = callerOf(req);
    const body = parse(LinkBody, req.body);
    let key: string;
    try {
      const location = parseLocation(body.object, {
        allowedBuckets: [],
        allowHttp: false,
        prefix: false,
        what: "object",
      });
      if (location.scheme !== "objects") throw new UriError("object must be an objects:// URI");
      key = location.key;
    } catch (error) {
      if (error instanceof UriError) throw badRequest(error.message);
      throw error;
    }
    if (!(await ctx.files.userObjects.info(userKey(caller.userid, key))))
      throw notFound(`no object ${body.object}`);
    const expires = Math.floor(ctx.now() / 1000) + body.expiresInSeconds;
    const sig = signLink(caller.keyHash, caller.keyId, key, expires);
    const url = `/api/v1/objects/${key}?kid=${encodeURIComponent(caller.keyId)}&exp=${expires}&sig=${sig}`;
    res.status(201).json({ url, expiresAt: new Date(expires * 1000).toISOString() });
  });

  return router;
}

async function verifyLink(ctx: AppContext, req: Request, key: string): Promise<string> {
  const { kid, exp, sig } = req.query;
  const invalid = new HttpError(403, "link is not valid or has expired");
  if (typeof kid !== "string" || typeof exp !== "string" || typeof sig !== "string") throw invalid;
  const expires = Number(exp);
  if (!Number.isInteger(expires) || expires * 1000 < ctx.now()) throw invalid;
  const record = await ctx.store.keyById(kid);
  if (!record || record.revokedAt !== null) throw invalid;
  if (!sameSignature(sig, signLink(record.hash, record.id, key, expires))) throw invalid;
  return userKey(record.userid, key);
}
