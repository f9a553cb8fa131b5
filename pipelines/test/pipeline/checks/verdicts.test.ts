import { describe, expect, it } from "vitest";
import { browserUrl, hostMapFor } from "../../../src/pipeline/checks/endpoint.js";
import { assessFrames, type FramesSample } from "../../../src/pipeline/checks/frames-verdict.js";
import { jobOutcome, progressLine } from "../../../src/pipeline/checks/job-progress.js";
import { objectSegment } from "../../../src/pipeline/checks/transcode-job.js";
import { parseProbe, transcodeProblems } from "../../../src/pipeline/checks/transcode-verdict.js";

// The pure parts of the functional checks: what ffprobe must see, what a job's state means, when
// decoded frames count as a working loopback, and how the browser reaches an environment.

const probe = (streams: object[], duration?: string) =>
  JSON.stringify({ streams, format: duration === undefined ? {} : { duration } });
const expected = { codec: "h264", height: 360, durationSeconds: 2.02, toleranceSeconds: 0.5 } as const;

describe("the transcoding verdict", () => {
  it("passes an output with the asked codec and height, about as long as the input", () => {
    const media = parseProbe(
      probe(
        [
          { codec_type: "audio", codec_name: "aac" },
          { codec_type: "video", codec_name: "h264", height: 360 },
        ],
        "2.048000",
      ),
    );
    expect(media).toEqual({ video: { codec: "h264", height: 360 }, durationSeconds: 2.048 });
    expect(transcodeProblems(media, expected)).toEqual([]);
    const hevc = parseProbe(probe([{ codec_type: "video", codec_name: "hevc", height: 360 }], "2"));
    expect(transcodeProblems(hevc, { ...expected, codec: "h265" })).toEqual([]);
  });

  it("names each problem: no video, other codec, other height, too short or no duration", () => {
    expect(transcodeProblems(parseProbe(probe([{ codec_type: "audio" }], "2")), expected)).toEqual([
      "the output has no video stream",
    ]);
    const wrong = parseProbe(probe([{ codec_type: "video", codec_name: "hevc", height: 240 }], "0.5"));
    expect(transcodeProblems(wrong, expected)).toEqual([
      "video codec is hevc, asked for h264",
      "video height is 240, asked for 360",
      "duration is 0.50 s, the input's 2.02 s (± 0.5 s)",
    ]);
    const noDuration = parseProbe(probe([{ codec_type: "video", codec_name: "h264", height: 360 }]));
    expect(transcodeProblems(noDuration, expected)).toEqual([
      "duration is NaN s, the input's 2.02 s (± 0.5 s)",
    ]);
  });

  it("refuses what is not ffprobe's JSON", () => {
    expect(() => parseProbe("not json")).toThrow();
    expect(() => parseProbe(JSON.stringify({ streams: "x" }))).toThrow();
  });
});

describe("the job's progress", () => {
  it("prints a line per state, and waits until the job is final", () => {
    const job = {
      jobid: "j1",
      status: "PROGRESSING",
      phase: "TRANSCODING",
      percentComplete: 40,
      attempts: 1,
    };
    expect(progressLine(job)).toBe("job j1: PROGRESSING TRANSCODING 40%");
    expect(progressLine({ ...job, attempts: 2 })).toBe("job j1: PROGRESSING TRANSCODING 40% (attempt 2)");
    expect(progressLine({ jobid: "j1", status: "SUBMITTED", phase: null })).toBe("job j1: SUBMITTED");
    expect(jobOutcome(job)).toEqual({ state: "waiting" });
  });

  it("completes with the output, fails with the job's errorCode and errorMessage", () => {
    expect(
      jobOutcome({ jobid: "j1", status: "COMPLETE", result: { output: "objects://p/out/clip.mp4" } }),
    ).toEqual({
      state: "complete",
      output: "objects://p/out/clip.mp4",
    });
    expect(jobOutcome({ jobid: "j1", status: "COMPLETE" })).toEqual({
      state: "failed",
      reason: "job j1 is COMPLETE without an output",
    });
    expect(
      jobOutcome({
        jobid: "j1",
        status: "ERROR",
        errorCode: "TRANSCODE_FAILED",
        errorMessage: "ffmpeg exited 1",
      }),
    ).toEqual({ state: "failed", reason: "job j1 failed: TRANSCODE_FAILED: ffmpeg exited 1" });
    expect(jobOutcome({ jobid: "j1", status: "CANCELED" })).toEqual({
      state: "failed",
      reason: "job j1 was canceled",
    });
  });

  it("names objects after the commit, as a valid key segment", () => {
    expect(objectSegment("0123456789abcdef0123456789")).toBe("0123456789abcdef0123");
    expect(objectSegment("abc1234-dirty-src9f")).toBe("abc1234-dirty-src9f");
    expect(objectSegment("-x/y")).toBe("c-x-y");
  });
});

describe("the frames verdict", () => {
  const rule = { minFrames: 30, riseWindowMs: 2000, deadlineMs: 10_000 };
  const at = (atMs: number, framesDecoded: number, ice = "connected"): FramesSample => ({
    atMs,
    session: true,
    ice,
    framesDecoded,
  });

  it("passes when frames are past the floor and rose over the window", () => {
    expect(assessFrames([at(0, 0), at(1000, 20), at(3000, 80)], rule)).toEqual({
      state: "passed",
      framesDecoded: 80,
      overMs: 3000,
    });
  });

  it("waits: too few frames, or not yet a window of rising frames", () => {
    expect(assessFrames([], rule)).toEqual({ state: "waiting" });
    expect(assessFrames([at(0, 0), at(3000, 25)], rule)).toEqual({ state: "waiting" });
    expect(assessFrames([at(0, 40), at(1000, 70)], rule)).toEqual({ state: "waiting" });
  });

  it("fails at the deadline with what it saw: no session, no frames, frames stalled at N", () => {
    const none = [
      { atMs: 0, session: false, framesDecoded: 0 },
      { atMs: 10_000, session: false, framesDecoded: 0 },
    ];
    expect(assessFrames(none, rule)).toEqual({
      state: "failed",
      reason: "no session: the page never started the loopback",
    });
    expect(assessFrames([at(0, 0, "checking"), at(10_000, 0, "checking")], rule)).toEqual({
      state: "failed",
      reason: "no frames decoded (ICE checking)",
    });
    expect(assessFrames([at(0, 10), at(5000, 57), at(10_000, 57)], rule)).toEqual({
      state: "failed",
      reason: "frames stalled at 57 (ICE connected; need > 30 and rising over 2 s)",
    });
  });

  it("fails at once when ICE failed", () => {
    expect(assessFrames([at(0, 0, "failed")], rule)).toEqual({
      state: "failed",
      reason: "ICE failed: no media path to the media server",
    });
  });
});

describe("how the browser reaches an environment", () => {
  it("opens the environment's name on the base URL's scheme and port", () => {
    expect(browserUrl({ baseUrl: "http://127.0.0.1:9080", host: "qa.localhost" }, "/media/")).toBe(
      "http://qa.localhost:9080/media/",
    );
    expect(browserUrl({ baseUrl: "https://qa.example.com", host: "qa.example.com" }, "/media/")).toBe(
      "https://qa.example.com/media/",
    );
  });

  it("maps the name to the base URL's address only when they differ and Chromium cannot resolve it", () => {
    expect(hostMapFor({ baseUrl: "http://127.0.0.1:8080", host: "qa.localhost" })).toEqual({});
    expect(hostMapFor({ baseUrl: "https://qa.example.com:9443", host: "qa.example.com" })).toEqual({});
    expect(hostMapFor({ baseUrl: "https://10.0.0.5", host: "qa.example.com" })).toEqual({
      "qa.example.com": "10.0.0.5",
    });
  });
});
