import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clipArgs } from "../../scenario/catalogue.js";
import { loadConfig } from "../../src/config.js";
import { generateKey } from "../../src/keys.js";
import { createLogger, type Logger } from "../../src/log.js";
import { type Service, startService } from "../../src/service.js";
import { type AddressPolicy, publicUnicastOnly } from "../../src/storage/address-policy.js";

// The whole service in this process (ROLE=all by default) on 127.0.0.1, with its own temp folder,
// SQLite file and objects folder; and tiny clips made with ffmpeg's test sources.

export interface TestService {
  service: Service;
  url: string;
  dir: string;
  env: Record<string, string>;
  addKey(userid: string, admin?: boolean): Promise<{ id: string; key: string }>;
  stop(): Promise<void>;
}

export function startTestService(
  env: Record<string, string> = {},
  addressPolicy: AddressPolicy = publicUnicastOnly,
): Promise<TestService> {
  return startTestServiceWith(
    env,
    createLogger({ level: "error", environment: "test", version: "test", silent: true }),
    addressPolicy,
  );
}

/** The same, logging to the given logger. */
export async function startTestServiceWith(
  env: Record<string, string>,
  log: Logger,
  addressPolicy: AddressPolicy = publicUnicastOnly,
): Promise<TestService> {
  const dir = mkdtempSync(join(tmpdir(), "api-svc-"));
  const fullEnv = {
    HOST: "127.0.0.1",
    PORT: "0",
    DATABASE_URL: `sqlite:${join(dir, "api.db")}`,
    OBJECTS_DIR: join(dir, "objects"),
    TMPDIR: dir,
    POLL_MS: "100",
    HEARTBEAT_SECONDS: "0.5",
    LEASE_SECONDS: "5",
    WORKER_CONCURRENCY: "1",
    APP_VERSION: "1.2.3",
    BUILD_TIME: "2026-11-22T00:00:00Z",
    GIT_COMMIT: "abc1234",
    ...env,
  };
  const config = loadConfig(fullEnv);
  const service = await startService(config, { log, addressPolicy });
  return {
    service,
    url: service.url!,
    dir,
    env: fullEnv,
    async addKey(userid, admin = false) {
      const key = generateKey();
      await service.store.addKey({ id: key.id, userid, hash: key.hash, admin }, Date.now());
      return { id: key.id, key: key.key };
    },
    async stop() {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A clip with enough detail that the encoder spends its bit budget (flat test patterns undershoot);
 * `gopSeconds` puts a keyframe that often (x264's default is every 10 s), so it can be cut.
 */
export function makeClip(path: string, seconds = 3, size = "640x360", gopSeconds?: number): string {
  const [width, height] = size.split("x").map(Number) as [number, number];
  execFileSync(
    "ffmpeg",
    clipArgs({ name: path, seconds, width, height }, path, { qp: 10, gopSeconds: gopSeconds ?? null }),
  );
  return path;
}

export interface Probed {
  codec: string;
  height: number;
  bitRate: number;
  duration: number;
}

export function ffprobe(path: string): Probed {
  const out = JSON.parse(
    execFileSync("ffprobe", [
      "-v",
      "error",
      "-select_streams",
      "v:0",
      "-show_entries",
      "stream=codec_name,height,bit_rate,duration",
      "-of",
      "json",
      path,
    ]).toString(),
  ) as { streams: { codec_name: string; height: number; bit_rate: string; duration: string }[] };
  const s = out.streams[0]!;
  return { codec: s.codec_name, height: s.height, bitRate: Number(s.bit_rate), duration: Number(s.duration) };
}

export function api(base: string, key?: string) {
  const headers = (extra: Record<string, string> = {}) => ({
    ...(key ? { authorization: `Bearer ${key}` } : {}),
    ...extra,
  });
  return {
    get: (path: string, extra?: Record<string, string>) =>
      fetch(`${base}${path}`, { headers: headers(extra) }),
    post: (path: string, body: unknown) =>
      fetch(`${base}${path}`, {
        method: "POST",
        headers: headers({ "content-type": "application/json" }),
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    put: (path: string, body: Uint8Array | string) =>
      fetch(`${base}${path}`, { method: "PUT", headers: headers({ "content-type": "video/mp4" }), body }),
  };
}

/** Polls a job until it is final (bounded). */
export async function waitForJob(
  base: string,
  key: string,
  jobId: string,
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(`${base}/api/v1/jobs/${jobId}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const body = (await response.json()) as { job: Record<string, unknown> };
    if (["COMPLETE", "ERROR", "CANCELED"].includes(String(body.job.status))) return body.job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${jobId} did not finish in ${timeoutMs} ms`);
}
