import { connect } from "node:net";

// Waits until a task's host port accepts TCP connections, so its targets are registered when the
// process listens (the first health check then passes instead of costing a whole interval).

export async function waitForPort(
  port: number,
  timeoutMs: number,
  stillWanted: () => boolean,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && stillWanted()) {
    if (await accepts(port)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.setTimeout(500);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}
