import { describe, expect, it } from "vitest";
import { servesOnly, versionSwitch } from "../bench/switch-time.js";
import type { Sample } from "../src/load.js";

// The benchmark's reading of the load (test/bench/switch-time.ts): pure, so checked here on made-up samples.

function sample(startedAt: number, version: string | undefined, status = 200): Sample {
  return {
    stream: "prod",
    host: "localhost",
    path: "/api/v1/version",
    startedAt,
    endedAt: startedAt + 5,
    status,
    body: version ? JSON.stringify({ commit: version }) : "",
  };
}

const versionOf = (s: Sample) => (s.body ? (JSON.parse(s.body) as { commit: string }).commit : undefined);

describe("versionSwitch", () => {
  it("times the first answer of the version and the start of the run it alone answers, by send time", () => {
    // Mixed while both versions serve (a rolling update), then only "new" from 1300 on.
    const samples = [
      sample(1000, "old"),
      sample(1100, "new"),
      sample(1200, "old"),
      sample(1300, "new"),
      sample(1400, "new"),
      sample(1500, "new"),
    ];
    const result = versionSwitch(samples, versionOf, "new", { from: 1000, until: 2000 });
    expect(result).toEqual({
      firstMs: 100,
      allMs: 300,
      requests: 6,
      answeredByVersion: 4,
      answeredByOther: 2,
      failed: 0,
    });
  });

  it("places a request by when it was sent, whatever order the answers came back in", () => {
    // The old version's answer to the request sent at 1200 arrives last (in flight across the shift).
    const late = { ...sample(1200, "old"), endedAt: 1600 };
    const samples = [sample(1300, "new"), sample(1400, "new"), late];
    expect(versionSwitch(samples, versionOf, "new", { from: 1000, until: 2000 }).allMs).toBe(300);
  });

  it("has no switch when the window ends on another version, and counts failures apart", () => {
    const samples = [sample(1000, "new"), sample(1100, undefined, 503), sample(1200, "old")];
    const result = versionSwitch(samples, versionOf, "new", { from: 1000, until: 2000 });
    expect(result.allMs).toBeUndefined();
    expect(result.firstMs).toBe(0);
    expect(result.failed).toBe(1);
  });

  it("leaves out requests sent outside the window", () => {
    const samples = [sample(900, "old"), sample(1000, "new"), sample(2000, "old")];
    const result = versionSwitch(samples, versionOf, "new", { from: 1000, until: 2000 });
    expect(result).toMatchObject({ allMs: 0, requests: 1, answeredByOther: 0 });
  });
});

describe("servesOnly", () => {
  it("needs the last `count` answers since `since` to be the version's", () => {
    const samples = [sample(1000, "old"), sample(1100, "new"), sample(1200, "new")];
    expect(servesOnly(samples, versionOf, "new", 0, 2)).toBe(true);
    expect(servesOnly(samples, versionOf, "new", 0, 3)).toBe(false);
    expect(servesOnly(samples, versionOf, "new", 1150, 2)).toBe(false);
  });
});
