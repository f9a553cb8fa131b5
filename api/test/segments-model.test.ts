import { describe, expect, it } from "vitest";
import { transcodeArgs } from "../src/model/ffmpeg-args.js";
import type { FfmpegProfile } from "../src/model/profile.js";
import {
  audioEncodeArgs,
  canResume,
  concatList,
  jobPercent,
  joinArgs,
  rangeArgs,
  type Segment,
  type SegmentState,
  segmentEncodeArgs,
  segmentRange,
  splitPoints,
} from "../src/model/segments.js";

const PROFILE: FfmpegProfile = {
  codec: "h264",
  scale: "240p",
  bitrate: 1,
  profile: "quality",
  speed: "ultrafast",
  platform: "cpu",
};
const POLICY = { thresholdSeconds: 10, segmentSeconds: 4 };
const everyTwoSeconds = (until: number) => Array.from({ length: until / 2 }, (_, i) => i * 2);

describe("splitPoints", () => {
  it("cuts a long input at the first keyframe past each segment length", () => {
    expect(splitPoints(everyTwoSeconds(20), 20, POLICY)).toEqual([4, 8, 12, 16]);
    expect(splitPoints([0, 3, 5, 9, 10, 14.5], 20, POLICY)).toEqual([5, 9, 14.5]);
  });

  it("does not cut an input shorter than the threshold or one without keyframes to cut at", () => {
    expect(splitPoints(everyTwoSeconds(8), 8, POLICY)).toEqual([]);
    expect(splitPoints([0], 60, POLICY)).toEqual([]);
    expect(splitPoints([], 60, POLICY)).toEqual([]);
    expect(splitPoints(everyTwoSeconds(20), Number.NaN, POLICY)).toEqual([]);
  });

  it("leaves no tail shorter than half a segment, and takes keyframes in any order", () => {
    expect(splitPoints([0, 4, 8, 11], 12, POLICY)).toEqual([4, 8]);
    expect(splitPoints([8, 0, 4], 12, POLICY)).toEqual([4, 8]);
  });
});

describe("a segment's range of the input", () => {
  const segment = (index: number, count: number): Segment => ({
    jobId: "j",
    index,
    count,
    status: "QUEUED",
    startSeconds: index * 4.04,
    durationSeconds: 4.04,
    percent: 0,
    attempts: 0,
    maxAttempts: 3,
    errorMessage: null,
  });

  it("seeks to just before its first keyframe and reads up to the next segment's", () => {
    expect(rangeArgs(segmentRange(segment(1, 3)))).toEqual(["-ss", "4.039500", "-t", "4.040000"]);
  });

  it("starts the first at the input's start and runs the last to the input's end", () => {
    expect(rangeArgs(segmentRange(segment(0, 3)))).toEqual(["-t", "4.040000"]);
    expect(rangeArgs(segmentRange(segment(2, 3)))).toEqual(["-ss", "8.079500"]);
  });
});

describe("canResume", () => {
  const piece = (index: number, status: SegmentState): Segment => ({
    jobId: "j",
    index,
    count: 3,
    status,
    startSeconds: index * 4,
    durationSeconds: 4,
    percent: 0,
    attempts: 0,
    maxAttempts: 3,
    errorMessage: null,
  });

  it("goes on with the planned pieces, done or not", () => {
    expect(canResume([piece(0, "DONE"), piece(1, "RUNNING"), piece(2, "QUEUED")])).toBe(true);
  });

  it("plans again when a piece failed, or there are none", () => {
    expect(canResume([piece(0, "DONE"), piece(1, "FAILED"), piece(2, "DONE")])).toBe(false);
    expect(canResume([])).toBe(false);
  });
});

describe("jobPercent", () => {
  it("weights each segment's percent by its duration", () => {
    expect(
      jobPercent([
        { durationSeconds: 4, percent: 100 },
        { durationSeconds: 4, percent: 50 },
        { durationSeconds: 8, percent: 0 },
      ]),
    ).toBe(37);
  });

  it("is 100 only when every segment is, and 0 without segments", () => {
    expect(
      jobPercent([
        { durationSeconds: 4, percent: 100 },
        { durationSeconds: 0.01, percent: 99 },
      ]),
    ).toBe(99);
    expect(jobPercent([{ durationSeconds: 4, percent: 100 }])).toBe(100);
    expect(jobPercent([])).toBe(0);
  });

  it("falls back to a plain mean when durations are unknown", () => {
    expect(
      jobPercent([
        { durationSeconds: 0, percent: 100 },
        { durationSeconds: 0, percent: 0 },
      ]),
    ).toBe(50);
  });
});

describe("segment and join argv", () => {
  it("encodes a segment as single pass does, video only, its range read from the input", () => {
    const args = segmentEncodeArgs(PROFILE, "/t/seg-in", "/t/seg-out.mp4", {
      startSeconds: 8,
      durationSeconds: 4,
    });
    // Input options: before the input they limit.
    expect(args.slice(args.indexOf("-i") - 4, args.indexOf("-i") + 2)).toEqual([
      "-ss",
      "7.999500",
      "-t",
      "4.000000",
      "-i",
      "/t/seg-in",
    ]);
    const single = transcodeArgs(PROFILE, "/t/seg-in", "/t/seg-out.mp4");
    for (const option of [
      "-vf",
      "-c:v",
      "-preset",
      "-b:v",
      "-maxrate",
      "-bufsize",
      "-g",
      "-bf",
      "-pix_fmt",
    ]) {
      expect(args[args.indexOf(option) + 1]).toBe(single[single.indexOf(option) + 1]);
    }
    expect(args).not.toContain("-c:a");
    expect(args).not.toContain("0:a:0?");
    expect(args).not.toContain("-movflags");
    expect(args.slice(-2)).toEqual(["-an", "/t/seg-out.mp4"]);
  });

  it("encodes the audio alone with single pass's audio options", () => {
    const args = audioEncodeArgs("/t/input", "/t/audio.m4a");
    const single = transcodeArgs(PROFILE, "/t/input", "/t/out.mp4");
    for (const option of ["-c:a", "-b:a"])
      expect(args[args.indexOf(option) + 1]).toBe(single[single.indexOf(option) + 1]);
    expect(args).toContain("-vn");
    expect(args).not.toContain("-c:v");
    expect(args.slice(-1)).toEqual(["/t/audio.m4a"]);
  });

  it("joins by stream copy with the codec tag of single pass", () => {
    const h264 = joinArgs(PROFILE, "/t/list.txt", "/t/audio.m4a", "/t/out.mp4");
    expect(h264[h264.indexOf("-c") + 1]).toBe("copy");
    expect(h264).not.toContain("-c:a");
    expect(h264.join(" ")).toContain("-i /t/audio.m4a -map 0:v:0 -map 1:a:0");
    expect(h264).not.toContain("-tag:v");
    expect(h264.slice(h264.indexOf("-f"), h264.indexOf("-f") + 4)).toEqual([
      "-f",
      "concat",
      "-i",
      "/t/list.txt",
    ]);
    const h265 = joinArgs({ ...PROFILE, codec: "h265" }, "/t/list.txt", undefined, "/t/out.mp4");
    expect(h265[h265.indexOf("-tag:v") + 1]).toBe("hvc1");
    // No audio in the input: the video alone, no second input.
    expect(h265.filter((a) => a === "-i")).toHaveLength(1);
    expect(h265).not.toContain("1:a:0");
  });

  it("lists the segments by fixed relative names", () => {
    expect(concatList(2)).toBe("file 'segment-0000.mp4'\nfile 'segment-0001.mp4'\n");
  });
});
