import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseSpec } from "@platform/env";
import { describe, expect, it } from "vitest";
import type { Sample } from "../src/load.js";
import { isFailure, jsonField, summarize } from "../src/load-summary.js";
import { SUITE_BLOCKS, type SuiteName, suiteRanges } from "../src/ports.js";
import { REPO_ROOT } from "../src/region-process.js";
import { specWithPorts } from "../src/spec-copy.js";

// The pure parts the end-to-end suites stand on: a wrong port or a miscounted failure here would
// make a suite pass for the wrong reason.

describe("specWithPorts", () => {
  const shipped = readFileSync(join(REPO_ROOT, "env", "platform.yaml"), "utf8");
  const ports = {
    aws: 31001,
    http: 31002,
    https: 31003,
    tasks: { from: 46000, to: 46099 },
    mediaUdp: { from: 46100, to: 46499 },
  };

  it("moves every local port of the shipped spec and leaves the rest as it was", () => {
    const spec = parseSpec(specWithPorts(shipped, ports));
    const original = parseSpec(shipped);
    expect(spec.local).toEqual({
      ...original.local,
      awsEndpointPort: 31001,
      httpPort: 31002,
      httpsPort: 31003,
      taskPorts: { from: 46000, to: 46099 },
      mediaUdpPorts: { from: 46100, to: 46499 },
    });
    expect(spec.environments).toEqual(original.environments);
  });

  it("refuses a spec it can't rewrite instead of leaving the default ports", () => {
    expect(() => specWithPorts(shipped.replace(/httpsPort/, "tlsPort"), ports)).toThrow(/httpsPort/);
  });
});

describe("suiteRanges", () => {
  it("gives each suite task and media ports no other suite (nor another engineer's tests) uses", () => {
    const ranges = (Object.keys(SUITE_BLOCKS) as SuiteName[]).flatMap((s) => {
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
