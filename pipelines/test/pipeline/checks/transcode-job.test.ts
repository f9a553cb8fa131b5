import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkTranscodeJob } from "../../../src/pipeline/checks/transcode-job.js";
import { type AppProcess, startAppProcess } from "./app-process.js";

// The API's functional check against the real API (its compiled entry point, ROLE=all: HTTP and a
// worker running real ffmpeg), with its admin key as API_ADMIN_KEY, as a task gets it.

const adminKey = randomBytes(24).toString("base64url");
const dirs: string[] = [];
const apis: AppProcess[] = [];

async function startApi(
  extra: Record<string, string> = {},
  ready: "api" | "worker" = "api",
): Promise<AppProcess> {
  const dir = mkdtempSync(join(tmpdir(), "checks-api-"));
  dirs.push(dir);
  const api = await startAppProcess(
    "api",
    {
      ROLE: "all",
      DATABASE_URL: `sqlite:${join(dir, "api.db")}`,
      OBJECTS_DIR: join(dir, "objects"),
      TMPDIR: dir,
      API_ADMIN_KEY: adminKey,
      WORKER_CONCURRENCY: "1",
      POLL_MS: "200",
      GIT_COMMIT: "abc1234",
      ...extra,
    },
    ready,
  );
  apis.push(api);
  return api;
}

let api: AppProcess;

beforeAll(async () => {
  api = await startApi();
}, 60_000);

afterAll(async () => {
  for (const running of apis) await running.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const check = (baseUrl: string, lines: string[], apiKey = adminKey) => ({
  endpoint: { baseUrl, host: "qa.localhost" },
  apiKey,
  commit: "0123456789abcdef0123456789abcdef01234567",
  timeoutMs: 90_000,
  log: (line: string) => lines.push(line),
  now: Date.now,
  sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
});

describe("the transcoding check against a real API", () => {
  it("uploads a clip, waits for COMPLETE with progress lines, and ffprobes the output: h264, 360p, as long as the input", async () => {
    const lines: string[] = [];
    const measure = await checkTranscodeJob(check(api.url, lines));
    console.log(`transcode check: ${JSON.stringify(measure)}`);
    expect(measure).toMatchObject({ codec: "h264", height: 360 });
    expect(measure.durationSeconds).toBeGreaterThan(1.5);
    expect(measure.durationSeconds).toBeLessThan(2.5);
    expect(lines[0]).toMatch(
      /^uploaded pipeline-verify\/0123456789abcdef0123-[0-9a-f]{8}\/clip\.mp4 \(2 s\)/,
    );
    expect(
      lines.some((l) => l.startsWith(`job ${measure.jobId}: SUBMITTED`) || l.includes("PROGRESSING")),
    ).toBe(true);
    expect(lines.at(-1)).toBe(`job ${measure.jobId}: COMPLETE`);
    expect(lines.join("\n")).not.toContain(adminKey);
  }, 120_000);

  it("gives each run its own objects", async () => {
    const [a, b] = [[], []] as string[][];
    await checkTranscodeJob(check(api.url, a!));
    await checkTranscodeJob(check(api.url, b!));
    const prefix = (lines: string[]) => lines[0]!.split(" ")[1];
    expect(prefix(a!)).not.toBe(prefix(b!));
  }, 180_000);

  it("fails on a key the API refuses, naming the call and never showing the key", async () => {
    const wrong = `wrong-${randomBytes(12).toString("hex")}`;
    const failure = checkTranscodeJob(check(api.url, [], wrong));
    await expect(failure).rejects.toThrow(
      /^PUT \/api\/v1\/objects\/pipeline-verify\/.+ answered HTTP 401, expected 201/,
    );
    await expect(failure).rejects.not.toThrow(wrong);
  }, 60_000);

  it("fails with the job's errorCode and errorMessage: a worker that cannot see the uploads", async () => {
    // One store, two object folders: the HTTP process keeps the upload, the only worker looks
    // elsewhere (what a task with its own storage does beside another version).
    const dir = mkdtempSync(join(tmpdir(), "checks-api-split-"));
    dirs.push(dir);
    const shared = { DATABASE_URL: `sqlite:${join(dir, "api.db")}`, TMPDIR: dir };
    const http = await startApi({ ...shared, ROLE: "api", OBJECTS_DIR: join(dir, "http-objects") });
    await startApi({ ...shared, ROLE: "worker", OBJECTS_DIR: join(dir, "worker-objects") }, "worker");
    const lines: string[] = [];
    const failure = await checkTranscodeJob(check(http.url, lines)).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    console.log(`split storage: ${(failure as Error).message}`);
    expect((failure as Error).message).toMatch(/^job \S+ failed: INPUT_NOT_FOUND: .+/);
  }, 120_000);
});
