import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A region that goes down and comes back: forwards to `target` while up (the Host header kept, so
 * SigV4 still verifies) and cuts every connection while down.
 */
export async function flakyProxy(target: string) {
  const to = new URL(target);
  let up = false;
  const server = createServer((req, res) => {
    if (!up) return req.socket.destroy();
    const forwarded = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on("error", () => req.socket.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setUp(value: boolean) {
      up = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
