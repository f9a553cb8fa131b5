import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runFfmpeg } from "../src/media/ffmpeg.js";
import {
  encodeAudio,
  encodeSegment,
  expectSuccess,
  joinSegments,
  keyframeTimes,
  writeConcatList,
} from "../src/media/segments.js";
import { transcodeArgs } from "../src/model/ffmpeg-args.js";
import type { FfmpegProfile } from "../src/model/profile.js";
import { planFromCuts, segmentFileName, segmentRange, splitPoints } from "../src/model/segments.js";
import { countVideo, framePsnr } from "./helpers/segments.js";
import { makeClip } from "./helpers/service.js";

// Segmented == single pass: the same clip and profile encoded once, and encoded piece by piece (each
// its range of the input, from one keyframe to the next) and joined by stream copy. Same frame count and duration, bitrate on target, and
// no seam: the frames around each join are as close to the single pass as the rest of the file.

const PROFILE: FfmpegProfile = {
  codec: "h264",
  scale: "240p",
  bitrate: 1,
  profile: "quality",
  speed: "veryfast",
  platform: "cpu",
};
/** Frames this close to a join (either side) are the seam. */
const SEAM_FRAMES = 3;
/** Both encodes are of the same 1 Mb/s target; below this a frame looks different. */
const SEAM_MIN_PSNR_DB = 30;

/** ...and not much further from it than the file's typical frame. */
const SEAM_MAX_DROP_DB = 6;

let dir: string;
let input: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "api-seg-"));
  input = makeClip(join(dir, "input.mp4"), 14, "320x240", 2);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("joins segments into the file single pass makes: frames, duration, bitrate, no seam", async () => {
  const single = join(dir, "single.mp4");
  await expectSuccess(runFfmpeg(transcodeArgs(PROFILE, input, single)), "single pass", [dir]);

  const cuts = splitPoints((await keyframeTimes(input)).keyframes, 14, {
    thresholdSeconds: 10,
    segmentSeconds: 4,
  });
  expect(cuts).toEqual([4, 8, 12]);
  const plan = planFromCuts(cuts, 14);
  for (const [index, piece] of plan.entries()) {
    const segment = { ...piece, index, count: plan.length };
    const output = join(dir, segmentFileName(index));
    await expectSuccess(encodeSegment(PROFILE, input, output, segmentRange(segment), 1), "segment", [dir]);
    // Each range holds its own frames only: none lost or doubled where two meet.
    expect(countVideo(output).frames).toBe(Math.round(piece.durationSeconds * 25));
  }
  const joined = join(dir, "joined.mp4");
  const audio = join(dir, "audio.m4a");
  await expectSuccess(encodeAudio(input, audio), "audio", [dir]);
  await expectSuccess(joinSegments(PROFILE, await writeConcatList(dir, 4), audio, joined), "join", [dir]);

  const a = countVideo(single);
  const b = countVideo(joined);
  expect(a.frames).toBe(350);
  expect(b.frames).toBe(a.frames);
  expect(b.durationSeconds).toBeCloseTo(a.durationSeconds, 2);
  expect(b.audio).toBe(true);
  expect(b.audioDurationSeconds).toBeCloseTo(a.audioDurationSeconds!, 2);
  expect(Math.abs(b.bitRate - 1_000_000) / 1_000_000).toBeLessThan(0.15);

  const psnr = framePsnr(joined, single, join(dir, "psnr.log"));
  expect(psnr.size).toBe(350);
  const seam = cuts.flatMap((t) => {
    const first = Math.round(t * 25) + 1; // psnr's n counts from 1
    return Array.from({ length: 2 * SEAM_FRAMES }, (_, k) => psnr.get(first - SEAM_FRAMES + k)!);
  });
  const all = [...psnr.values()].sort((x, y) => x - y);
  const median = all[Math.floor(all.length / 2)]!;
  console.log(
    `PSNR joined vs single pass: joins min ${Math.min(...seam).toFixed(2)} dB, file median ${median.toFixed(2)} dB`,
  );
  expect(Math.min(...seam)).toBeGreaterThan(SEAM_MIN_PSNR_DB);
  expect(Math.min(...seam)).toBeGreaterThan(median - SEAM_MAX_DROP_DB);
}, 120_000);

it("refuses a truncated input with a clear error", async () => {
  const { truncate, copyFile } = await import("node:fs/promises");
  const broken = join(dir, "broken.mp4");
  await copyFile(input, broken);
  await truncate(broken, 200_000);
  await expect(keyframeTimes(broken)).rejects.toThrow(/corrupt or truncated/);
});
