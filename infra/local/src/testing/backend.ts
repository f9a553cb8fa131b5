import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Backend {
  port: number;
  server: Server;
  requests: IncomingMessage[];
  close(): Promise<void>;
}

/** A real HTTP backend on 127.0.0.1 that keeps every request it got, to register as a target. */
export async function startBackend(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Backend> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    server,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
