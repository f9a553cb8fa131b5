import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseSpec } from "@platform/env";
import { describe, expect, it } from "vitest";
import { type Kill, pick, readKills, seededDraw, shuffled, victimServices } from "../src/chaos.js";
import type { Sample } from "../src/load.js";
import { REPO_ROOT } from "../src/region-process.js";
import { tcpHostPorts } from "../src/service-recovery.js";
import { specWithPorts } from "../src/spec-copy.js";
import { type JobEventLine, type JobRecord, jobsHitByKills, tallyJobs } from "../src/transcode-jobs.js";

// No region: the chaos and bake-restart scripts' pure readings (victims, failures per kill, jobs
// exactly once, a service's task count in the spec copy).

const sample = (stream: string, startedAt: number, endedAt: number, status = 200): Sample => ({
  stream,
  host: "localhost",
  path: "/",
  startedAt,
  endedAt,
  status,
  body: "",
});

describe("seededDraw, pick, shuffled and victimServices", () => {
  it("repeats its draws for a seed, stays in range, and differs between seeds", () => {
    const a = seededDraw(42);
    const b = seededDraw(42);
    const first = Array.from({ length: 200 }, () => a(10));
    expect(Array.from({ length: 200 }, () => b(10))).toEqual(first);
    expect(first.every((x) => Number.isInteger(x) && x >= 0 && x < 10)).toBe(true);
    expect(new Set(first).size).toBe(10);
    const other = seededDraw(43);
    expect(Array.from({ length: 200 }, () => other(10))).not.toEqual(first);
  });

  it("picks every item in time and none from an empty list", () => {
    const draw = seededDraw(7);
    const seen = new Set(Array.from({ length: 100 }, () => pick(draw, ["a", "b", "c"])));
    expect(seen).toEqual(new Set(["a", "b", "c"]));
    expect(pick(draw, [])).toBeUndefined();
    expect(pick((n) => n - 1, ["a", "b"])).toBe("b");
  });

  it("keeps every item, and each round of kills hits every service once", () => {
    const draw = seededDraw(3);
    const services = ["api-qa", "api-prod", "media-server-qa", "media-server-prod"];
    expect([...shuffled(draw, services)].sort()).toEqual([...services].sort());
    const order = victimServices(draw, services, 10);
    expect(order).toHaveLength(10);
    expect(new Set(order.slice(0, 4))).toEqual(new Set(services));
    expect(new Set(order.slice(4, 8))).toEqual(new Set(services));
    expect(order.slice(8).every((s) => services.includes(s))).toBe(true);
    expect(victimServices(draw, [], 3)).toEqual([]);
    const eight = Array.from({ length: 8 }, (_, i) => i);
    expect(shuffled(seededDraw(1), eight)).not.toEqual(shuffled(seededDraw(2), eight));
  });
});

describe("readKills", () => {
  const serviceOf = (stream: string) => (stream.startsWith("qa") ? "api-qa" : "api-prod");
  const kills: Kill[] = [
    { service: "api-prod", taskId: "t1", at: 1000, pids: [1], recoveredAt: 8000 },
    { service: "api-qa", taskId: "t2", at: 2000, pids: [2] },
    { service: "api-prod", taskId: "t3", at: 5000, pids: [3], recoveredAt: 9000 },
  ];

  it("puts each failure on the newest earlier kill of its own service and compares with that service's in-flight", () => {
    const samples = [
      sample("prod", 990, 1010), // in flight at kill 1
      sample("prod", 995, 1005, 502), // in flight, failed: kill 1
      sample("prod", 1002, 1003, 502), // sent after kill 1, failed: kill 1
      sample("qa", 1990, 2010), // in flight at kill 2 (qa)
      sample("qa", 2001, 2002, 502), // kill 2
      sample("prod", 1999, 2001), // prod in flight at kill 2: not counted for api-qa
      sample("prod", 5001, 5002, 0), // kill 3, none in flight at it
    ];
    const { readings, unexplained } = readKills(samples, kills, serviceOf);
    expect(unexplained).toEqual([]);
    expect(readings.map((r) => [r.inFlight, r.failures.length, r.barMet])).toEqual([
      [2, 2, true],
      [1, 1, true],
      [0, 1, false],
    ]);
    expect(readings.map((r) => r.recoverySeconds)).toEqual([7, undefined, 4]);
  });

  it("leaves unexplained the failures before any kill of their service", () => {
    const early = sample("prod", 100, 200, 503);
    const qaBeforeItsKill = sample("qa", 1500, 1600, 502);
    const { readings, unexplained } = readKills([early, qaBeforeItsKill], kills, serviceOf);
    expect(unexplained).toEqual([early, qaBeforeItsKill]);
    expect(readings.every((r) => r.failures.length === 0)).toBe(true);
  });
});

const event = (action: string, taskId: string, seq: number): JobEventLine => ({
  seq,
  action,
  worker: { taskId },
});
const job = (over: Partial<JobRecord>): JobRecord => ({
  env: "prod",
  token: "t",
  failedSubmits: 0,
  events: [],
  ...over,
});

describe("tallyJobs and jobsHitByKills", () => {
  const once = job({
    jobid: "j1",
    status: "COMPLETE",
    events: [event("JobSummit", "", 1), event("JobStart", "a", 2), event("JobFinished", "a", 3)],
  });
  const takenOver = job({
    jobid: "j2",
    status: "COMPLETE",
    failedSubmits: 2,
    events: [event("JobStart", "dead", 4), event("JobStart", "b", 9), event("JobFinished", "b", 10)],
  });
  const twice = job({
    jobid: "j3",
    status: "COMPLETE",
    events: [event("JobFinished", "a", 5), event("JobFinished", "b", 6)],
  });
  const stuck = job({ jobid: "j4", status: "PROGRESSING", events: [event("JobStart", "dead", 7)] });
  const neverAccepted = job({ submitError: "no job after 10 submissions", failedSubmits: 10 });
  const errored = job({ jobid: "j5", status: "ERROR", events: [event("JobFailed", "a", 8)] });

  it("counts exactly once, twice, lost (never accepted or never finished), failed and taken over", () => {
    expect(tallyJobs([once, takenOver, twice, stuck, neverAccepted, errored])).toEqual({
      submitted: 6,
      accepted: 5,
      completed: 2,
      duplicated: 1,
      lost: 2,
      failed: 1,
      pickedUpAgain: 1,
      failedSubmits: 12,
    });
    expect(tallyJobs([once, takenOver])).toMatchObject({ completed: 2, duplicated: 0, lost: 0 });
  });

  it("finds the jobs a killed task held and whether another task finished them", () => {
    expect(jobsHitByKills([once, takenOver, stuck], ["dead"])).toEqual({
      onKilledTask: 2,
      finishedElsewhere: 1,
    });
    expect(jobsHitByKills([once], ["a"])).toEqual({ onKilledTask: 0, finishedElsewhere: 0 });
  });
});

describe("tcpHostPorts", () => {
  it("keeps a task's TCP bindings and leaves out the media server's UDP ones", () => {
    expect(
      tcpHostPorts({
        containers: [
          {
            networkBindings: [
              { hostPort: 46001, protocol: "tcp" },
              { hostPort: 46101, protocol: "udp" },
              { hostPort: 46002 },
            ],
          },
        ],
      }),
    ).toEqual([46001, 46002]);
  });
});

describe("specWithPorts taskCounts", () => {
  const shipped = readFileSync(join(REPO_ROOT, "env", "platform.yaml"), "utf8");
  const ports = {
    aws: 1,
    http: 2,
    https: 3,
    testHttp: 4,
    testHttps: 5,
    tasks: { from: 46000, to: 46099 },
    mediaUdp: { from: 46100, to: 46299 },
  };

  it("sets a service's desired count and its auto scaling minimum, the rest as shipped", () => {
    const spec = parseSpec(
      specWithPorts(shipped, ports, { taskCounts: [{ env: "qa", app: "media-server", count: 2 }] }),
    );
    const original = parseSpec(shipped);
    const media = spec.environments.qa?.services["media-server"];
    const before = original.environments.qa?.services["media-server"];
    expect(before?.desiredCount).toBe(1);
    expect(media?.desiredCount).toBe(2);
    expect(media?.autoscaling).toEqual({ ...before?.autoscaling, minCount: 2 });
    expect(spec.environments.qa?.services.api).toEqual(original.environments.qa?.services.api);
    expect(spec.environments.prod).toEqual(original.environments.prod);
    expect(() =>
      specWithPorts(shipped, ports, { taskCounts: [{ env: "qa", app: "nope" as "api", count: 2 }] }),
    ).toThrow(/services\.nope/);
  });
});
