import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { mediaServerDir } from "./server.js";

/** The real entry point (src/main.ts) as its own process; resolves once it listens. */
export async function startServerProcess(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: mediaServerDir,
    env: { PATH: process.env.PATH, HOST: "127.0.0.1", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const entry = JSON.parse(line) as { message: string; port?: number };
    if (entry.message === "media server listening") return { child, url: `http://127.0.0.1:${entry.port}` };
  }
  throw new Error("the server exited before listening");
}

/** A gst-launch runs under this PID (a zombie has an empty cmdline: it has died, only unreaped). */
export function isGstAlive(pid: number): boolean {
  try {
    return existsSync(`/proc/${pid}`) && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("gst-launch");
  } catch {
    return false;
  }
}
