import { describe, expect, it } from "vitest";
import { PhaseClock } from "../src/worker/phase-clock.js";

describe("phase clock", () => {
  it("gives each phase the time since the previous mark, adding up a phase marked twice", () => {
    const times = [100, 101.4, 150, 150, 400.6, 410];
    const clock = new PhaseClock(() => times.shift()!);
    clock.mark("claim");
    clock.mark("fetch");
    clock.mark("probe");
    clock.mark("ffmpeg");
    clock.mark("fetch");
    expect(clock.phasesMs()).toEqual({ claim: 1, fetch: 58, probe: 0, ffmpeg: 251 });
    expect(Object.keys(clock.phasesMs())).toEqual(["claim", "fetch", "probe", "ffmpeg"]);
  });
});
