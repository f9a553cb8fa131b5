import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseSpec, serviceDeployment } from "@platform/env";
import { describe, expect, it } from "vitest";
import type { Sample } from "../src/load.js";
import { isFailure, jsonField, summarize } from "../src/load-summary.js";
import { BY_HAND, SUITE_BLOCKS, type SuiteName, suiteRanges } from "../src/ports.js";
import { REPO_ROOT } from "../src/region-process.js";
import { commonPercent, type WeightReading, weightSpans } from "../src/rule-weights.js";
import { specWithPorts } from "../src/spec-copy.js";
import { stepShares } from "../src/step-shares.js";

// The pure parts the end-to-end suites stand on: a wrong port or a miscounted failure here would
// make a suite pass for the wrong reason.

describe("specWithPorts", () => {
  const shipped = readFileSync(join(REPO_ROOT, "env", "platform.yaml"), "utf8");
  const ports = {
    aws: 31001,
    http: 31002,
    https: 31003,
    testHttp: 31004,
    testHttps: 31005,
    tasks: { from: 46000, to: 46099 },
    mediaUdp: { from: 46100, to: 46299 },
  };

  it("moves every local port of the shipped spec and leaves the rest as it was", () => {
    const spec = parseSpec(specWithPorts(shipped, ports));
    const original = parseSpec(shipped);
    expect(spec.local).toEqual({
      ...original.local,
      awsEndpointPort: 31001,
      httpPort: 31002,
      httpsPort: 31003,
      testHttpPort: 31004,
      testHttpsPort: 31005,
      taskPorts: { from: 46000, to: 46099 },
      mediaUdpPorts: { from: 46100, to: 46299 },
    });
    expect(spec.environments).toEqual(original.environments);
  });

  it("gives one service a deployment of its own and raises the bake cap, the rest as shipped", () => {
    const deployment = {
      strategy: "LINEAR" as const,
      bakeTimeInMinutes: 1,
      linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 1 },
    };
    const text = specWithPorts(shipped, ports, {
      deployments: [{ env: "prod", app: "api", deployment }],
      maxDeploymentBakeSeconds: 45,
    });
    const spec = parseSpec(text);
    const original = parseSpec(shipped);
    expect(spec.local.maxDeploymentBakeSeconds).toBe(45);
    expect(serviceDeployment(spec, "api", "prod")).toEqual(deployment);
    expect(serviceDeployment(original, "api", "prod").strategy).toBe("CANARY");
    // The other services keep theirs, and api-prod keeps everything it had through the merge key.
    expect(serviceDeployment(spec, "media-server", "prod")).toEqual(
      serviceDeployment(original, "media-server", "prod"),
    );
    expect(serviceDeployment(spec, "api", "qa")).toEqual(serviceDeployment(original, "api", "qa"));
    const { deployment: _, ...apiProd } = spec.environments.prod.services.api;
    expect(apiProd).toEqual(original.environments.prod.services.api);
    expect(text).toContain("<<: *api");
  });

  it("adds a shorter local autoscaling cadence that the spec's schema accepts", () => {
    const autoscaling = {
      alarmPeriodSeconds: 10 as const,
      highEvaluationPeriods: 1,
      lowEvaluationPeriods: 3,
      scaleOutCooldownSeconds: 10,
      scaleInCooldownSeconds: 20,
    };
    expect(parseSpec(specWithPorts(shipped, ports, { autoscaling })).local.autoscaling).toEqual(autoscaling);
    expect(parseSpec(specWithPorts(shipped, ports)).local.autoscaling).toBeUndefined();
  });

  it("refuses a spec it can't rewrite instead of leaving the default ports or deployment", () => {
    expect(() => specWithPorts(shipped.replace(/httpsPort/, "tlsPort"), ports)).toThrow(/httpsPort/);
    expect(() => specWithPorts(shipped.replace(/testHttpPort/, "testPort"), ports)).toThrow(/testHttpPort/);
    const renamed = shipped.replace(/^( {6})api:$/m, "$1transcoder:");
    expect(() =>
      specWithPorts(renamed, ports, {
        deployments: [{ env: "qa", app: "api", deployment: { strategy: "ROLLING" } }],
      }),
    ).toThrow(/environments\.qa\.services\.api/);
  });
});

describe("suiteRanges", () => {
  it("gives each suite task and media ports no other suite (nor another engineer's tests) uses", () => {
    // The by-hand scripts share one block: it counts once.
    const byHand = [...BY_HAND].slice(1);
    const suites = (Object.keys(SUITE_BLOCKS) as SuiteName[]).filter((s) => !byHand.includes(s));
    expect(BY_HAND.size).toBeGreaterThan(0);
    const ranges = suites.flatMap((s) => {
      const r = suiteRanges(s);
      return [r.tasks, r.mediaUdp];
    });
    const sorted = [...ranges].sort((a, b) => a.from - b.from);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.from).toBeGreaterThan(sorted[i - 1]!.to);
    expect(sorted[0]!.from).toBeGreaterThanOrEqual(44000);
    expect(sorted.at(-1)!.to).toBeLessThan(49152);
    // A media task takes 20 UDP ports; a deploy of 2 tasks runs up to 4 at once per environment.
    for (const s of Object.keys(SUITE_BLOCKS) as SuiteName[]) {
      const udp = suiteRanges(s).mediaUdp;
      expect(udp.to - udp.from + 1).toBeGreaterThanOrEqual(20 * 6);
    }
  });
});

describe("summarize", () => {
  const at = (t: number, status: number, body: string, error?: string): Sample => ({
    stream: "qa",
    host: "qa.localhost",
    path: "/api/v1/version",
    startedAt: t - 5,
    endedAt: t,
    status,
    body,
    ...(error && { error }),
  });
  const v = (commit: string) => JSON.stringify({ commit });

  it("counts failures (non-200 and transport errors) and when each version was served", () => {
    const samples = [
      at(10, 200, v("old")),
      at(20, 200, v("old")),
      at(30, 503, v("old")),
      at(40, 0, "", "socket hang up"),
      at(50, 200, v("new")),
      at(60, 200, "{}"),
      at(70, 200, v("new")),
    ];
    const summary = summarize(samples, jsonField("commit"));
    expect(summary.total).toBe(7);
    expect(summary.failed).toEqual([samples[2], samples[3]]);
    expect(summary.byStatus).toEqual({ "200": 5, "503": 1, "error: socket hang up": 1 });
    expect(summary.labels).toEqual({
      old: { count: 2, firstAt: 10, lastAt: 20 },
      new: { count: 2, firstAt: 50, lastAt: 70 },
    });
  });

  it("treats a draining 503 as a failure a user saw", () => {
    expect(isFailure(at(1, 503, '{"status":"draining"}'))).toBe(true);
    expect(isFailure(at(1, 200, "ok"))).toBe(false);
    expect(jsonField("commit")(at(1, 200, "not json"))).toBeUndefined();
  });
});

describe("weightSpans and stepShares", () => {
  const [blue, green] = ["tg/blue", "tg/green"];
  const reading = (sentAt: number, greenWeight: number, twinGreen = greenWeight): WeightReading => ({
    sentAt,
    at: sentAt + 2,
    weights: {
      https: { [blue]: 100 - greenWeight, [green]: greenWeight },
      http: { [blue]: 100 - twinGreen, [green]: twinGreen },
    },
  });

  it("turns readings into spans that held from one answer to the last send, skipping disagreements", () => {
    const readings = [
      reading(0, 0),
      reading(10, 0),
      reading(20, 10, 0), // the twin has not moved yet
      reading(30, 10),
      reading(40, 10),
      reading(50, 100),
    ];
    expect(commonPercent(readings[2]!, green)).toBeUndefined();
    expect(commonPercent(readings[3]!, green)).toBe(10);
    expect(weightSpans(readings, green)).toEqual([
      { percent: 0, from: 2, to: 10, readings: 2 },
      { percent: 10, from: 32, to: 40, readings: 2 },
      { percent: 100, from: 52, to: 50, readings: 1 },
    ]);
  });

  it("counts green's share per span from the requests wholly inside it, failures left out", () => {
    const sample = (startedAt: number, endedAt: number, commit: string, status = 200): Sample => ({
      stream: "prod",
      host: "localhost",
      path: "/api/v1/version",
      startedAt,
      endedAt,
      status,
      body: JSON.stringify({ commit }),
    });
    const samples = [
      sample(33, 34, "new"),
      sample(34, 35, "old"),
      sample(35, 36, "old"),
      sample(36, 37, "old"),
      sample(37, 38, "new", 503),
      sample(39, 41, "new"), // answered after the span
      sample(3, 4, "old"),
    ];
    const spans = [
      { percent: 0, from: 2, to: 10, readings: 2 },
      { percent: 10, from: 32, to: 40, readings: 2 },
    ];
    expect(stepShares(samples, spans, jsonField("commit"), "new")).toEqual([
      { percent: 0, requests: 1, green: 0, measured: 0, seconds: 0.008 },
      { percent: 10, requests: 4, green: 1, measured: 25, seconds: 0.008 },
    ]);
  });
});
