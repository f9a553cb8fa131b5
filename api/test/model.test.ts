import { describe, expect, it } from "vitest";
import { demandOf, shouldPublish } from "../src/model/demand.js";
import { qualityArgs, transcodeArgs } from "../src/model/ffmpeg-args.js";
import {
  afterFailure,
  assertTransition,
  canCancel,
  type Job,
  publicJob,
  retryDelayMs,
  statesThatCanBecome,
  TransitionError,
} from "../src/model/job.js";
import { CODECS, type FfmpegProfile, PROFILES, SCALES, SPEEDS } from "../src/model/profile.js";
import {
  mergeFrames,
  ProgressParser,
  parsePsnrStats,
  parseQualitySummary,
  parseSsimStats,
  percentOf,
} from "../src/model/progress.js";
import { summarize, timingStats, utilization, workerView } from "../src/model/stats.js";
import { outputFor, parseLocation, UriError, validateKey } from "../src/model/uris.js";
import type { WorkerInfo } from "../src/store/store.js";

const BASE: FfmpegProfile = {
  codec: "h264",
  scale: "720p",
  bitrate: 3,
  profile: "quality",
  speed: "fast",
  platform: "cpu",
};

function valueAfter(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
}

describe("profile → ffmpeg argv", () => {
  it("maps every field of the profile", () => {
    const args = transcodeArgs(BASE, "/w/input", "/w/output.mp4");
    expect(valueAfter(args, "-i")).toBe("/w/input");
    expect(valueAfter(args, "-c:v")).toBe("libx264");
    expect(valueAfter(args, "-vf")).toBe("scale=-2:720");
    expect(valueAfter(args, "-b:v")).toBe("3M");
    expect(valueAfter(args, "-maxrate")).toBe("3M");
    expect(valueAfter(args, "-bufsize")).toBe("3M");
    expect(valueAfter(args, "-preset")).toBe("fast");
    expect(valueAfter(args, "-pix_fmt")).toBe("yuv420p");
    expect(valueAfter(args, "-movflags")).toBe("+faststart");
    expect(valueAfter(args, "-progress")).toBe("pipe:1");
    expect(valueAfter(args, "-bf")).toBe("3");
    expect(args).not.toContain("-tune");
    expect(args).not.toContain("-threads");
    expect(args[args.length - 1]).toBe("/w/output.mp4");
    // A share of the CPUs caps the decoder (before -i), the filters and the encoder alike.
    const shared = transcodeArgs(BASE, "/w/input", "/w/output.mp4", 1);
    const input = shared.indexOf("-i");
    expect(shared.slice(0, input)).toEqual(expect.arrayContaining(["-threads", "1", "-filter_threads", "1"]));
    expect(shared.slice(input).join(" ")).toContain("-threads 1");
  });

  it("uses libx265 with an hvc1 tag, and a low-latency GOP for the latency profile", () => {
    const args = transcodeArgs(
      { ...BASE, codec: "h265", scale: "240p", bitrate: 1.5, profile: "latency", speed: "ultrafast" },
      "i",
      "o",
    );
    expect(valueAfter(args, "-c:v")).toBe("libx265");
    expect(valueAfter(args, "-tag:v")).toBe("hvc1");
    expect(valueAfter(args, "-tune")).toBe("zerolatency");
    expect(valueAfter(args, "-bf")).toBe("0");
    expect(valueAfter(args, "-g")).toBe("30");
    expect(valueAfter(args, "-vf")).toBe("scale=-2:240");
    expect(valueAfter(args, "-b:v")).toBe("1.5M");
  });

  it("produces only schema values and fixed flags for every combination", () => {
    for (const codec of CODECS)
      for (const scale of SCALES)
        for (const profile of PROFILES)
          for (const speed of SPEEDS) {
            const args = transcodeArgs(
              { codec, scale, profile, speed, bitrate: 15, platform: "cpu" },
              "IN",
              "OUT",
            );
            expect(args.filter((a) => a === "IN" || a === "OUT")).toEqual(["IN", "OUT"]);
            expect(args.every((a) => !/[;|&$`\s]/.test(a) || a === "")).toBe(true);
          }
  });

  it("builds one quality graph for PSNR and SSIM at the reference size", () => {
    const args = qualityArgs(
      {
        distorted: "/w/d",
        reference: "/w/r",
        psnrLog: "/w/p.log",
        ssimLog: "/w/s.log",
        vmafLog: "/w/v.json",
      },
      1280,
      720,
    );
    const graph = valueAfter(args, "-lavfi")!;
    expect(graph).toContain("[0:v]scale=1280:720");
    expect(graph).toContain("psnr=stats_file=/w/p.log");
    expect(graph).toContain("ssim=stats_file=/w/s.log");
    expect(args.filter((a) => a === "-i")).toHaveLength(2);
  });
});

describe("ffmpeg output parsing", () => {
  it("turns -progress blocks into percent, 100 only at the end", () => {
    const blocks: number[] = [];
    const parser = new ProgressParser((b) => blocks.push(percentOf(b, 4)));
    parser.push("frame=10\nout_time_us=1000000\nprogress=continue\nout_time_us=30");
    parser.push("00000\nprogress=continue\nout_time_us=4000000\nprogress=end\n");
    expect(blocks).toEqual([25, 75, 100]);
    expect(percentOf({ outTimeUs: 5e6, done: false }, 4)).toBe(99);
    expect(percentOf({ outTimeUs: 1e6, done: false }, undefined)).toBe(0);
  });

  it("reads psnr/ssim stats files and ffmpeg's summary lines", () => {
    const psnr = parsePsnrStats(
      "n:1 mse_avg:2.60 psnr_avg:43.97 psnr_y:43.78\nn:2 mse_avg:0.00 psnr_avg:inf psnr_y:inf\n",
    );
    const ssim = parseSsimStats(
      "n:1 Y:0.98 U:0.99 V:0.99 All:0.989521 (19.79)\nn:2 Y:1 U:1 V:1 All:1.000000 (inf)\n",
    );
    expect(mergeFrames(psnr, ssim)).toEqual([
      { n: 1, psnr: 43.97, ssim: 0.989521 },
      { n: 2, psnr: Number.POSITIVE_INFINITY, ssim: 1 },
    ]);
    const stderr =
      "[Parsed_ssim_6 @ 0x1] SSIM Y:0.995379 (23.35) U:0.995810 (23.77) V:0.996442 (24.48) All:0.995628 (23.59)\n" +
      "[Parsed_psnr_5 @ 0x2] PSNR y:48.674572 u:46.939668 v:46.730426 average:47.970693 min:43.97 max:50.97\n";
    expect(parseQualitySummary(stderr)).toEqual({ psnr: 47.970693, ssim: 0.995628 });
    expect(parseQualitySummary("nothing here")).toEqual({ psnr: undefined, ssim: undefined });
  });
});

describe("job rules", () => {
  it("allows only the documented transitions", () => {
    expect(() => assertTransition("SUBMITTED", "PROGRESSING")).not.toThrow();
    expect(() => assertTransition("PROGRESSING", "SUBMITTED")).not.toThrow();
    expect(() => assertTransition("COMPLETE", "PROGRESSING")).toThrow(TransitionError);
    expect(() => assertTransition("CANCELED", "COMPLETE")).toThrow(TransitionError);
    expect(() => assertTransition("SUBMITTED", "COMPLETE")).toThrow(TransitionError);
  });

  it("retries while attempts remain and the failure is transient", () => {
    expect(afterFailure({ attempts: 1, maxAttempts: 3 }, true)).toBe("SUBMITTED");
    expect(afterFailure({ attempts: 3, maxAttempts: 3 }, true)).toBe("ERROR");
    expect(afterFailure({ attempts: 1, maxAttempts: 3 }, false)).toBe("ERROR");
    expect([1, 2, 3, 10].map(retryDelayMs)).toEqual([2000, 4000, 8000, 60_000]);
  });

  it("shows a job in the earlier service's vocabulary", () => {
    const job: Job = {
      id: "j1",
      userid: "u",
      kind: "transcode",
      priority: 5,
      status: "ERROR",
      phase: null,
      percentComplete: 10,
      attempts: 3,
      maxAttempts: 3,
      errorCode: "INPUT_INVALID",
      errorMessage: "no video",
      result: null,
      clientRequestToken: null,
      batchId: null,
      worker: null,
      createdAt: 0,
      startedAt: 1000,
      finishedAt: null,
      updatedAt: 0,
      spec: {
        kind: "transcode",
        input: "objects://a.mp4",
        output: "objects://b/a.mp4",
        profile: { ffmpeg: BASE },
      },
    };
    expect(publicJob(job)).toMatchObject({
      jobid: "j1",
      status: "ERROR",
      errorCode: "INPUT_INVALID",
      errorMessage: "no video",
      createdAt: "1970-01-01T00:00:00.000Z",
      startedAt: "1970-01-01T00:00:01.000Z",
      output: "objects://b/a.mp4",
    });
    expect(canCancel(job)).toBe(false);
    expect(statesThatCanBecome("CANCELED")).toEqual(["SUBMITTED", "PROGRESSING"]);
    expect(statesThatCanBecome("COMPLETE")).toEqual(["PROGRESSING"]);
    expect(canCancel({ ...job, status: "PROGRESSING" })).toBe(true);
  });
});

describe("locations", () => {
  const options = { allowedBuckets: ["media-in"], allowHttp: true, prefix: false, what: "input" };

  it("names the output after the input", () => {
    expect(outputFor("objects://a/clip.mp4", "objects://b/")).toBe("objects://b/clip.mp4");
    expect(outputFor("objects://a/clip.mov", "objects://b")).toBe("objects://b/clip.mp4");
    expect(outputFor("https://cdn.example.com/v/My%20Film.mkv?sig=1", "s3://media-in/out/")).toBe(
      "s3://media-in/out/My_Film.mp4",
    );
    expect(outputFor("https://cdn.example.com/", "objects://")).toBe("objects://output.mp4");
  });

  it("parses the three schemes and refuses the rest", () => {
    expect(parseLocation("objects://a/b.mp4", options)).toEqual({ scheme: "objects", key: "a/b.mp4" });
    expect(parseLocation("s3://media-in/x/y.mp4", options)).toEqual({
      scheme: "s3",
      bucket: "media-in",
      key: "x/y.mp4",
    });
    expect(parseLocation("https://example.com/a.mp4", options).scheme).toBe("http");
    for (const bad of [
      "file:///etc/passwd",
      "s3://other/a.mp4",
      "objects://a/../b",
      "ftp://x/y",
      "https://u:p@example.com/a",
    ])
      expect(() => parseLocation(bad, options), bad).toThrow(UriError);
    expect(() => parseLocation("https://example.com/a.mp4", { ...options, allowHttp: false })).toThrow(
      /objects:\/\/ or s3:\/\//,
    );
  });

  it("accepts only plain key segments", () => {
    expect(validateKey("a/b_c-1.mp4")).toBe("a/b_c-1.mp4");
    expect(validateKey("out/", "output", true)).toBe("out/");
    for (const bad of [
      "../x",
      "a/../b",
      "-x",
      "a/-i",
      ".hidden",
      "a//b",
      "/abs",
      "a b",
      "a\\b",
      "x".repeat(600),
    ])
      expect(() => validateKey(bad), bad).toThrow(UriError);
  });
});

describe("stats", () => {
  it("summarizes with nearest-rank percentiles", () => {
    expect(summarize([])).toEqual({ count: 0, mean: null, p50: null, p95: null });
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(summarize(values)).toEqual({ count: 100, mean: 50.5, p50: 50, p95: 95 });
  });

  it("derives queue delay and processing time", () => {
    const stats = timingStats([
      { createdAt: 0, startedAt: 1000, finishedAt: 4000 },
      { createdAt: 0, startedAt: 3000, finishedAt: null },
    ]);
    expect(stats.queueDelaySeconds).toMatchObject({ count: 2, mean: 2 });
    expect(stats.processingSeconds).toMatchObject({ count: 1, mean: 3 });
  });

  it("counts only live workers for utilization and shows stale ones as Stopped", () => {
    const w = (id: string, state: WorkerInfo["state"], jobs: number, heartbeatAt: number): WorkerInfo => ({
      id,
      taskId: `t-${id}`,
      host: "h",
      state,
      currentJobs: Array.from({ length: jobs }, (_, i) => `j${i}`),
      cpus: 2,
      memory: 0,
      slots: 2,
      startedAt: 0,
      heartbeatAt,
    });
    const now = 100_000;
    const workers = [
      w("a", "Busy", 2, now - 1000),
      w("b", "Idle", 0, now - 2000),
      w("c", "Busy", 1, now - 60_000),
      w("d", "Stopped", 0, now),
    ];
    expect(utilization(workers, now)).toEqual({
      workers: 2,
      tasks: 2,
      slots: 4,
      busySlots: 2,
      utilization: 0.5,
    });
    expect(workerView(workers, now).map((x) => x.state)).toEqual(["Busy", "Idle", "Stopped", "Stopped"]);
  });
});

describe("demand publishing policy", () => {
  it("computes backlog per task", () => {
    expect(demandOf(10, 4)).toEqual({ queueDepth: 10, backlogPerTask: 2.5 });
    expect(demandOf(3, 0)).toEqual({ queueDepth: 3, backlogPerTask: 3 });
  });

  it("publishes once per interval when idle, at once when work appears or the queue moves a lot", () => {
    const idle = { at: 0, sample: demandOf(0, 1) };
    expect(shouldPublish(undefined, demandOf(0, 1), 0, 60_000)).toBe(true);
    expect(shouldPublish(idle, demandOf(0, 1), 30_000, 60_000)).toBe(false);
    expect(shouldPublish(idle, demandOf(0, 1), 60_000, 60_000)).toBe(true);
    expect(shouldPublish(idle, demandOf(5, 1), 10_000, 60_000)).toBe(true);
    expect(shouldPublish(idle, demandOf(5, 1), 5_000, 60_000)).toBe(false);
    const busy = { at: 0, sample: demandOf(10, 1) };
    expect(shouldPublish(busy, demandOf(11, 1), 20_000, 60_000)).toBe(false);
    expect(shouldPublish(busy, demandOf(20, 1), 20_000, 60_000)).toBe(true);
  });
});
