import { request } from "node:http";

// One HTTP request to 127.0.0.1 with a Host header (Node's fetch does not let a caller set Host), its
// answer read whole: the set-up and clean-up calls of a benchmark, not its measured load.

export interface HttpAnswer {
  status: number;
  body: string;
}

export function httpCall(
  port: number,
  options: {
    method: string;
    host: string;
    path: string;
    headers?: Record<string, string>;
    body?: Buffer | string;
  },
  timeoutMs = 10_000,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: options.method,
        path: options.path,
        headers: {
          ...options.headers,
          host: options.host,
          ...(options.body !== undefined && { "content-length": Buffer.byteLength(options.body) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      },
    );
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`${options.method} ${options.path}: no answer in ${timeoutMs} ms`)),
    );
    req.on("error", reject);
    req.end(options.body);
  });
}
