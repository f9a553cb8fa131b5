import { createServer } from "node:net";

/** A TCP port on 127.0.0.1 that nothing listens on right now (whoever binds it next should do so soon). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ready, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", ready);
  });
  const address = server.address();
  await new Promise<void>((closed) => server.close(() => closed()));
  if (typeof address !== "object" || !address) throw new Error("the OS gave no port");
  return address.port;
}

/** `count` free ports, no two the same (the OS may hand a just-closed port out again). */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
