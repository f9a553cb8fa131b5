import { describe, expect, it } from "vitest";
import { qualityArgs } from "../src/model/ffmpeg-args.js";
import {
  DEFAULT_METRICS,
  metricsFromFlags,
  parseVmafLog,
  qualityPlan,
} from "../src/model/quality-metrics.js";

// Which metrics a quality job measures on which host, the graph that measures them, libvmaf's log.

const PATHS = {
  distorted: "/w/d",
  reference: "/w/r",
  psnrLog: "/w/p.log",
  ssimLog: "/w/s.log",
  vmafLog: "/w/v.json",
};

describe("quality plan", () => {
  it("measures VMAF and MS-SSIM with libvmaf, and says why not without it", () => {
    const wanted = metricsFromFlags({ psnr: true, "ms-ssim": true });
    expect(wanted).toEqual({ vmaf: true, psnr: true, ssim: false, msSsim: true });
    expect(qualityPlan(wanted, ["psnr", "ssim", "libvmaf"])).toEqual({ measure: wanted, unavailable: {} });
    const without = qualityPlan(wanted, ["psnr", "ssim"]);
    expect(without.measure).toEqual({ vmaf: false, psnr: true, ssim: false, msSsim: false });
    expect(Object.keys(without.unavailable).sort()).toEqual(["msSsim", "vmaf"]);
    expect(without.unavailable.vmaf).toMatch(/no libvmaf filter/);
    expect(qualityPlan(DEFAULT_METRICS, []).unavailable).toMatchObject({
      psnr: expect.any(String),
      ssim: expect.any(String),
    });
  });
});

describe("quality graph", () => {
  it("adds libvmaf (distorted first) with the MS-SSIM feature only when measured", () => {
    const graph = (m: Parameters<typeof qualityArgs>[3]) => {
      const args = qualityArgs(PATHS, 640, 360, m);
      return args[args.indexOf("-lavfi") + 1]!;
    };
    const all = graph({ vmaf: true, psnr: true, ssim: true, msSsim: true });
    expect(all).toContain("split=3[d1][d2][d3]");
    expect(all).toContain("[d3][r3]libvmaf=log_fmt=json:log_path=/w/v.json:feature=name=float_ms_ssim");
    const vmafOnly = graph({ vmaf: true, psnr: false, ssim: false, msSsim: false });
    expect(vmafOnly).toContain("[d1][r1]libvmaf=log_fmt=json:log_path=/w/v.json");
    expect(vmafOnly).not.toMatch(/psnr|ssim/);
    expect(graph({ vmaf: false, psnr: true, ssim: true, msSsim: false })).not.toContain("libvmaf");
  });
});

describe("libvmaf log", () => {
  it("reads the pooled means, and nothing from a broken log", () => {
    const log = JSON.stringify({
      version: "2.3.1",
      frames: [{ frameNum: 0, metrics: { vmaf: 97.1, float_ms_ssim: 0.991 } }],
      pooled_metrics: {
        vmaf: { min: 95, max: 99, mean: 97.42, harmonic_mean: 97.4 },
        float_ms_ssim: { min: 0.98, max: 0.999, mean: 0.9931, harmonic_mean: 0.993 },
      },
    });
    expect(parseVmafLog(log)).toEqual({ vmaf: 97.42, msSsim: 0.9931 });
    expect(parseVmafLog("")).toEqual({ vmaf: undefined, msSsim: undefined });
    expect(parseVmafLog('{"pooled_metrics":{"vmaf":{"mean":"x"}}}')).toEqual({
      vmaf: undefined,
      msSsim: undefined,
    });
  });
});
