import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, runNode } from "@platform/local-region/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, startTestService, type TestService } from "./helpers/service.js";

// The scenario and its report, end to end against a real service with real ffmpeg: the report's
// numbers must be the ones in the event log the API serves.

const API_DIR = resolve(fileURLToPath(import.meta.url), "../..");
const script = (name: string) => ["--import", "tsx", join(API_DIR, "scenario", `${name}.ts`)];

describe("npm run scenario and scenario:report", () => {
  let svc: TestService;
  let key: string;
  let out: string;
  let run: Awaited<ReturnType<typeof runNode>>;
  beforeAll(async () => {
    svc = await startTestService({ WORKER_CONCURRENCY: "2" });
    key = (await svc.addKey("scenario")).key;
    out = join(mkdtempSync(join(tmpdir(), "scenario-")), "run");
    // No region here: the fleet samples have no ECS counts or metrics, and say so with empty cells.
    const noRegion = `http://127.0.0.1:${await freePort()}`;
    run = await runNode(
      [
        ...script("run"),
        ...["-n", "3", "--mean-gap", "0.3", "--gap-deviation", "0.1", "--clips", "short-360p.mp4"],
        ...["--url", svc.url, "--key", key, "--region", noRegion, "--out", out, "--timeout-minutes", "2"],
      ],
      { cwd: API_DIR, env: { ...process.env, NO_COLOR: "1" }, limitMs: 150_000 },
    );
  }, 180_000);
  afterAll(async () => {
    await svc?.stop();
  });

  it("submits every planned job, shows progress, and records the run", () => {
    expect(run.code, run.output).toBe(0);
    expect(run.stdout).toMatch(/\[scenario \d+ s\] submitted 3\/3 .* complete 3/);
    const jobs = JSON.parse(readFileSync(join(out, "jobs.json"), "utf8")) as {
      jobid: string;
      events: { action: string }[];
    }[];
    expect(jobs).toHaveLength(3);
    for (const job of jobs) expect(job.events.map((e) => e.action)).toContain("JobFinished");
  });

  it("writes per-job rows whose times are the API's event log's", async () => {
    const report = await runNode([...script("report"), out], {
      cwd: API_DIR,
      env: process.env,
      limitMs: 60_000,
    });
    expect(report.code, report.output).toBe(0);
    expect(report.stdout).toMatch(/\| 3 \| 3 \| 0 \| 0 \|/);
    const [header, ...lines] = readFileSync(join(out, "jobs.csv"), "utf8").trim().split("\n");
    const columns = header!.split(",");
    const rows = lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [columns[i], v])));
    expect(rows).toHaveLength(3);
    const client = api(svc.url, key);
    for (const row of rows) {
      const { events } = (await (await client.get(`/api/v1/jobs/${row.jobid}`)).json()) as {
        events: { action: string; ts: string }[];
      };
      const at = (action: string) => Date.parse(events.find((e) => e.action === action)!.ts);
      expect(row.status).toBe("COMPLETE");
      expect(Number(row.queueSeconds)).toBeCloseTo((at("JobStart") - at("JobSummit")) / 1000, 3);
      expect(Number(row.processingSeconds)).toBeCloseTo((at("JobFinished") - at("JobStart")) / 1000, 3);
      expect(row.completed).toBe(new Date(at("JobFinished")).toISOString());
    }
    const workers = readFileSync(join(out, "workers.csv"), "utf8").trim().split("\n");
    const jobsPerWorker = workers.slice(1).map((l) => Number(l.split(",")[1]));
    expect(jobsPerWorker.reduce((a, b) => a + b, 0)).toBe(3);
    for (const png of ["queue-delay.png", "processing-time.png", "utilization.png", "fleet.png"]) {
      expect(readFileSync(join(out, png)).subarray(1, 4).toString("latin1")).toBe("PNG");
    }
  });

  it("refuses to send traffic anywhere but a loopback address", async () => {
    const refused = await runNode(
      [...script("run"), "-n", "1", "--url", "http://192.0.2.1:8080", "--key", "x"],
      {
        cwd: API_DIR,
        env: process.env,
        limitMs: 30_000,
      },
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("only sends traffic to the local load balancer");
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  });

  it("says what is wrong with a bad option", async () => {
    const bad = await runNode([...script("run"), "-n", "lots"], {
      cwd: API_DIR,
      env: process.env,
      limitMs: 30_000,
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('-n must be a number, got "lots"');
  });

  it("reports a directory that is not a run as such", async () => {
    const bad = await runNode([...script("report"), tmpdir()], {
      cwd: API_DIR,
      env: process.env,
      limitMs: 30_000,
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/run\.json is missing or not JSON.*is .* a scenario run\?/);
  });
});
