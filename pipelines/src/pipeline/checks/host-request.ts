import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { type CheckEndpoint, isLocalName } from "./endpoint.js";

// One HTTP exchange through the load balancer with the environment's Host header (and SNI), body
// and answer as bytes: uploads and downloads of the transcoding check. Node's fetch refuses to set Host.

export interface HostRequest {
  method: "GET" | "PUT" | "POST";
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  timeoutMs?: number;
}

export interface HostAnswer {
  status: number;
  body: Buffer;
}

export function requestWithHost(endpoint: CheckEndpoint, req: HostRequest): Promise<HostAnswer> {
  const url = new URL(req.path, endpoint.baseUrl);
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  const timeoutMs = req.timeoutMs ?? 30_000;
  const body = req.body === undefined ? undefined : Buffer.from(req.body);
  return new Promise((resolve, reject) => {
    const outgoing = send(
      url,
      {
        method: req.method,
        headers: {
          ...req.headers,
          host: endpoint.host,
          ...(body && { "content-length": String(body.length) }),
        },
        timeout: timeoutMs,
        servername: endpoint.host,
        // The local region's certificate is self-signed; real environments' are checked.
        rejectUnauthorized: !isLocalName(endpoint.host),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on("error", (error) => reject(new Error(`${req.method} ${req.path}: ${error.message}`)));
    outgoing.end(body);
  });
}
