import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Kurento, loadKurentoClient } from "./helpers/kurento-client.js";
import { codecs, hasCues, makeClip, probe } from "./helpers/media-files.js";
import { startServerProcess } from "./helpers/process.js";
import { startTestServer } from "./helpers/server.js";

type Server = Awaited<ReturnType<typeof startTestServer>>;

const FPS = 25;
const SECONDS = 4;
const FRAME = 1 / FPS;

/**
 * PlayerEndpoint → filter → RecorderEndpoint with no browser, driven by kurento-client 7.3; the
 * recordings are checked with ffprobe (duration, frame count) and for an index (Cues).
 */
describe("PlayerEndpoint and RecorderEndpoint (kurento-client 7.3)", () => {
  let kurento: Kurento;
  let server: Server;
  let client: Kurento;
  let dir: string;
  let clip: string;

  beforeAll(async () => {
    kurento = loadKurentoClient();
    dir = mkdtempSync(path.join(tmpdir(), "recordings-"));
    clip = path.join(dir, "clip.webm");
    makeClip(clip, SECONDS, FPS);
    server = await startTestServer({ RECORDINGS_DIR: dir });
    client = await kurento(`${server.url.replace(/^http/, "ws")}/kurento`);
  });

  afterAll(async () => {
    client?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const uri = (name: string) => `file://${path.join(dir, name)}`;

  it("records what a player plays through a filter: every frame, the length, Cues", async () => {
    const pipeline = await client.create("MediaPipeline");
    const player = await pipeline.create("PlayerEndpoint", { uri: uri("clip.webm") });
    const filter = await pipeline.create("GStreamerFilter", { command: "videoflip method=vertical-flip" });
    const recorder = await pipeline.create("RecorderEndpoint", {
      uri: uri("out/flipped.webm"),
      mediaProfile: "WEBM_VIDEO_ONLY",
    });
    await player.connect(filter);
    await filter.connect(recorder);
    const info = await player.getVideoInfo();
    expect(info).toMatchObject({ isSeekable: true, seekableInit: 0, duration: SECONDS * 1000 });
    const recording = new Promise((ok) => recorder.on("Recording", ok));
    const ended = new Promise((ok) => player.on("EndOfStream", ok));
    const stopped = new Promise((ok) => recorder.on("Stopped", ok));
    await recorder.record();
    await recording;
    await player.play();
    await ended;
    await recorder.stopAndWait();
    await stopped;
    await pipeline.release();

    const file = path.join(dir, "out/flipped.webm");
    const got = probe(file);
    expect(got.codec).toBe("vp8");
    expect(got.width).toBe(320);
    // Fed by a file, the filter waits instead of dropping (its queue does not leak), so every frame
    // gets through; its process stamps frames as they arrive, so the length is checked more loosely.
    expect(got.frames).toBe(SECONDS * FPS);
    expect(got.frames).toBeLessThanOrEqual(SECONDS * FPS);
    expect(Math.abs(got.duration - SECONDS)).toBeLessThanOrEqual(6 * FRAME);
    expect(hasCues(file)).toBe(true);
    expect(hasCues(clip)).toBe(true);
  });

  it("records a player straight into a recorder frame for frame, with the source's duration", async () => {
    const pipeline = await client.create("MediaPipeline");
    const player = await pipeline.create("PlayerEndpoint", { uri: uri("clip.webm") });
    const recorder = await pipeline.create("RecorderEndpoint", {
      uri: uri("direct.webm"),
      mediaProfile: "WEBM_VIDEO_ONLY",
      stopOnEndOfStream: true,
    });
    await player.connect(recorder);
    const stopped = new Promise((ok) => recorder.on("Stopped", ok));
    await recorder.record();
    await player.play();
    // stopOnEndOfStream: the recorder finishes by itself when the player reaches the end.
    await stopped;
    await pipeline.release();

    const file = path.join(dir, "direct.webm");
    const got = probe(file);
    const source = probe(clip);
    expect(got.frames).toBe(source.frames);
    expect(Math.abs(got.duration - source.duration)).toBeLessThanOrEqual(2 * FRAME);
    expect(hasCues(file)).toBe(true);
  });

  it("finishes a recording when its pipeline is released mid-way", async () => {
    const pipeline = await client.create("MediaPipeline");
    const player = await pipeline.create("PlayerEndpoint", { uri: uri("clip.webm") });
    const recorder = await pipeline.create("RecorderEndpoint", { uri: uri("released.webm") });
    await player.connect(recorder);
    await recorder.record();
    await player.play();
    await new Promise((r) => setTimeout(r, 1500));
    await pipeline.release();

    const got = probe(path.join(dir, "released.webm"));
    expect(got.frames).toBeGreaterThan(FPS / 2);
    expect(got.frames).toBeLessThan(SECONDS * FPS);
    expect(Math.abs(got.duration - got.frames * FRAME)).toBeLessThanOrEqual(2 * FRAME);
    expect(hasCues(path.join(dir, "released.webm"))).toBe(true);
  });

  it("pauses and seeks a player: the position holds while paused, the recording skips what was skipped", async () => {
    const pipeline = await client.create("MediaPipeline");
    const player = await pipeline.create("PlayerEndpoint", { uri: uri("clip.webm") });
    const recorder = await pipeline.create("RecorderEndpoint", { uri: uri("seeked.webm") });
    await player.connect(recorder);
    const ended = new Promise((ok) => player.on("EndOfStream", ok));
    await recorder.record();
    await player.play();
    await new Promise((r) => setTimeout(r, 1000));
    await player.pause();
    const paused = await player.getPosition();
    expect(paused).toBeGreaterThan(500);
    expect(paused).toBeLessThan(2500);
    await new Promise((r) => setTimeout(r, 300));
    expect(await player.getPosition()).toBe(paused);
    await player.setPosition(3000);
    expect(await player.getPosition()).toBe(3000);
    await player.play();
    await ended;
    await recorder.stopAndWait();
    await pipeline.release();

    const got = probe(path.join(dir, "seeked.webm"));
    // About 1 s before the pause and 1 s after the seek to 3 s, never the whole clip.
    expect(got.frames).toBeGreaterThan(FPS);
    expect(got.frames).toBeLessThan(3.2 * FPS);
    expect(hasCues(path.join(dir, "seeked.webm"))).toBe(true);
  });

  it("records the player's audio as Opus beside the video (WEBM profile)", async () => {
    makeClip(path.join(dir, "tone.webm"), 2, FPS, true);
    const pipeline = await client.create("MediaPipeline");
    const player = await pipeline.create("PlayerEndpoint", { uri: uri("tone.webm") });
    const recorder = await pipeline.create("RecorderEndpoint", {
      uri: uri("tone-out.webm"),
      mediaProfile: "WEBM",
    });
    await player.connect(recorder);
    const ended = new Promise((ok) => player.on("EndOfStream", ok));
    await recorder.record();
    await player.play();
    await ended;
    await recorder.stopAndWait();
    await pipeline.release();

    const file = path.join(dir, "tone-out.webm");
    expect(codecs(file).sort()).toEqual(["opus", "vp8"]);
    expect(Math.abs(probe(file).duration - 2)).toBeLessThanOrEqual(2 * FRAME);
  });

  /**
   * The error the server answers a call with, as {code, message}. Callback style: for operations
   * without a result, kurento-client's promise resolves even on an error (it only logs it).
   */
  const failure = (call: (done: (error?: { code?: number; message: string }) => void) => void) =>
    new Promise<{ code?: number; message: string }>((resolve) =>
      call((error) =>
        resolve(error ? { code: error.code, message: error.message } : { code: 0, message: "succeeded" }),
      ),
    );

  it("answers bad input with Kurento's errors and keeps serving", async () => {
    const pipeline = await client.create("MediaPipeline");
    for (const bad of [
      "http://127.0.0.1/clip.webm",
      "http://169.254.169.254/latest",
      "file:///etc/passwd",
      "rtsp://example.com/x",
    ]) {
      expect(
        await failure((done) => pipeline.create("PlayerEndpoint", { uri: bad }, done)),
        bad,
      ).toMatchObject({
        code: 40107,
      });
    }
    for (const bad of [`file://${dir}/../escape.webm`, "file:///tmp/elsewhere.webm"]) {
      expect(
        await failure((done) => pipeline.create("RecorderEndpoint", { uri: bad }, done)),
        bad,
      ).toMatchObject({
        code: 40107,
        message: expect.stringMatching(/recordings folder/),
      });
    }
    expect(
      await failure((done) =>
        pipeline.create("RecorderEndpoint", { uri: uri("x.webm"), mediaProfile: "MP4" }, done),
      ),
    ).toMatchObject({ code: 40107, message: expect.stringMatching(/MP4 is not supported/) });

    const recorder = await pipeline.create("RecorderEndpoint", { uri: uri("never.webm") });
    expect(await failure((done) => recorder.record(done))).toMatchObject({
      code: 40107,
      message: expect.stringMatching(/connect/),
    });
    const player = await pipeline.create("PlayerEndpoint", { uri: uri("missing.webm") });
    expect(await failure((done) => player.play(done))).toMatchObject({ code: 40107 });
    // A name is resolved when the player plays, and the address it resolves to is checked then.
    const local = await pipeline.create("PlayerEndpoint", {
      uri: `${server.url.replace("127.0.0.1", "localhost")}/media/x.webm`,
    });
    expect(await failure((done) => local.play(done))).toMatchObject({
      code: 40107,
      message: expect.stringMatching(/non-public/),
    });
    const released = await pipeline.create("PlayerEndpoint", { uri: uri("clip.webm") });
    await released.release();
    expect(await failure((done) => released.play(done))).toMatchObject({ code: 40101 });
    await pipeline.release();

    expect(existsSync(path.join(dir, "..", "escape.webm"))).toBe(false);
    const again = await client.create("MediaPipeline");
    expect(typeof again.id).toBe("string");
    await again.release();
  });
});

describe("RecorderEndpoint and SIGTERM", () => {
  let child: ChildProcess | undefined;
  let dir: string;
  afterAll(() => {
    if (child?.exitCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("finishes the recording before the server exits", async () => {
    const kurento = loadKurentoClient();
    dir = mkdtempSync(path.join(tmpdir(), "recordings-"));
    makeClip(path.join(dir, "clip.webm"), SECONDS, FPS);
    const started = await startServerProcess({ RECORDINGS_DIR: dir, STOP_TIMEOUT: "1" });
    child = started.child;
    const client = await kurento(`${started.url.replace(/^http/, "ws")}/kurento`);
    const pipeline = await client.create("MediaPipeline");
    const player = await pipeline.create("PlayerEndpoint", { uri: `file://${dir}/clip.webm` });
    const recorder = await pipeline.create("RecorderEndpoint", { uri: `file://${dir}/sigterm.webm` });
    await player.connect(recorder);
    await recorder.record();
    await player.play();
    await new Promise((r) => setTimeout(r, 1500));
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const [code] = await exited;
    client.close();
    expect(code).toBe(0);

    const file = path.join(dir, "sigterm.webm");
    const got = probe(file);
    expect(got.frames).toBeGreaterThan(FPS);
    expect(Math.abs(got.duration - got.frames * FRAME)).toBeLessThanOrEqual(2 * FRAME);
    expect(hasCues(file)).toBe(true);
  });
});
