import type { IncomingMessage } from "node:http";
import { addLogContext } from "@platform/telemetry";
import type { NextFunction, Request, Response } from "express";
import { hashKey } from "../keys.js";
import type { ApiKeyStore } from "../store/store.js";
import type { Caller } from "./context.js";
import { HttpError } from "./errors.js";

// `Authorization: Bearer <key>` → the caller (user id, admin). Browsers' WebSockets cannot set
// headers, so the WebSocket may also offer the key as subprotocols `bearer, <key>`.

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{16,256})$/;

export function bearerOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header) return BEARER.exec(header)?.[1] ?? "";
  const protocols = String(req.headers["sec-websocket-protocol"] ?? "")
    .split(",")
    .map((p) => p.trim());
  if (protocols[0] === "bearer" && protocols[1]) return protocols[1];
  return undefined;
}

export async function authenticate(store: ApiKeyStore, key: string | undefined): Promise<Caller> {
  if (key === undefined) throw new HttpError(401, "missing API key: send Authorization: Bearer <api key>");
  if (key === "") throw new HttpError(401, "malformed Authorization header: expected Bearer <api key>");
  const hash = hashKey(key);
  const record = await store.keyByHash(hash);
  if (!record || record.revokedAt !== null)
    throw new HttpError(401, "API key is not valid or has been revoked");
  return { userid: record.userid, admin: record.admin, keyId: record.id, keyHash: hash };
}

export function requireKey(store: ApiKeyStore) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    req.caller = await authenticate(store, bearerOf(req));
    addLogContext({ userId: req.caller.userid });
    next();
  };
}

export function callerOf(req: Request): Caller {
  if (!req.caller) throw new HttpError(401, "missing API key: send Authorization: Bearer <api key>");
  return req.caller;
}

/** The user a request acts for: the caller's own, or any user for an admin. */
export function actingUser(caller: Caller, requested: string | undefined): string {
  if (requested === undefined || requested === caller.userid) return caller.userid;
  if (caller.admin) return requested;
  throw new HttpError(403, `userid '${requested}' is not yours: omit it or use '${caller.userid}'`);
}

/** Another user's job looks like no job at all (404), so job ids do not leak. */
export function canSee(caller: Caller, owner: string): boolean {
  return caller.admin || caller.userid === owner;
}
