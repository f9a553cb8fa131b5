import { type ChildProcess, spawn } from "node:child_process";
import { cp } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { exited, killByPid } from "@platform/local-region/testing";
import { build } from "esbuild";

// An app's real entry point (its compiled dist/src/main.js) as its own process on 127.0.0.1, as the
// task runner starts it from the image; resolves once it logs that it is ready, with its URL.

export const REPO_ROOT = join(import.meta.dirname, "..", "..", "..", "..");

export interface AppProcess {
  /** Empty for a process that serves no HTTP (the API's ROLE=worker). */
  url: string;
  output: string[];
  stop(): Promise<void>;
}

/** The log line each kind of process writes once it is ready. */
const READY = { api: "api listening", "media-server": "media server listening", worker: "worker started" };

export async function startAppProcess(
  app: "api" | "media-server",
  env: Record<string, string>,
  ready: keyof typeof READY = app,
): Promise<AppProcess> {
  const child = spawn(process.execPath, [join(REPO_ROOT, app, "dist", "src", "main.js")], {
    cwd: join(REPO_ROOT, app),
    env: { PATH: process.env.PATH, HOST: "127.0.0.1", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const stop = async () => {
    killByPid(child, "SIGTERM");
    if (!(await exited(child, 30_000))) killByPid(child, "SIGKILL");
  };
  // A process that never says it is ready is stopped by its PID: the line loop then ends.
  const giveUp = setTimeout(() => killByPid(child, "SIGKILL"), 45_000);
  try {
    const url = await readyLine(child, output, READY[ready]);
    // The line reader paused stdout when it let go: keep draining it, or the child blocks on a full pipe.
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.stdout.resume();
    return { url, output, stop };
  } finally {
    clearTimeout(giveUp);
  }
}

async function readyLine(child: ChildProcess, output: string[], message: string): Promise<string> {
  for await (const line of createInterface({ input: child.stdout! })) {
    output.push(line);
    const entry = JSON.parse(line) as { message?: string; url?: string; port?: number };
    if (entry.message !== message) continue;
    return entry.url ?? (entry.port ? `http://127.0.0.1:${entry.port}` : "");
  }
  throw new Error(`the process exited before "${message}": ${output.join("\n").slice(-2000)}`);
}

/**
 * The demo page as an image carries it: media-server/public/ with the client bundled as demo.js (what
 * `npm run build:assets` writes), in a temp folder of the caller's, so the source tree is left alone.
 */
export async function bundleMediaPublicDir(dir: string): Promise<string> {
  const publicDir = join(dir, "public");
  await cp(join(REPO_ROOT, "media-server", "public"), publicDir, { recursive: true });
  await build({
    entryPoints: [join(REPO_ROOT, "media-server", "src", "client", "demo.ts")],
    bundle: true,
    format: "esm",
    target: "chrome110",
    outfile: join(publicDir, "demo.js"),
    logLevel: "silent",
  });
  return publicDir;
}
