import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Answer } from "./verify.js";

const MAX_BODY = 64 * 1024;

/**
 * GET `<baseUrl><path>` with an explicit Host header: how a client reaches qa.<domain> through the
 * load balancer when the name does not resolve (Node's resolver does not resolve qa.localhost).
 * Node's fetch refuses to set Host, so this uses http.request.
 */
export function getWithHost(baseUrl: string, host: string, path: string, timeoutMs = 5000): Promise<Answer> {
  const url = new URL(path, baseUrl);
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "GET", headers: { host, accept: "application/json" }, timeout: timeoutMs, servername: host },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_BODY) chunks.push(chunk);
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (error) => reject(new Error(error.message)));
    req.end();
  });
}
