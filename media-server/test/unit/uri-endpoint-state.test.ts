import { describe, expect, it } from "vitest";
import {
  playerTransition,
  profileTracks,
  recorderTransition,
  type UriEndpointState,
} from "../../src/recording/uri-endpoint-state.js";

const connected = { connected: true, finished: false };

describe("RecorderEndpoint states", () => {
  it("records, pauses, resumes and stops when a source is connected", () => {
    let state: UriEndpointState = "STOP";
    for (const [action, expected] of [
      ["record", "START"],
      ["pause", "PAUSE"],
      ["record", "START"],
      ["stop", "STOP"],
    ] as const) {
      const result = recorderTransition(state, action, connected);
      expect(result).toEqual({ next: expected });
      state = expected;
    }
  });

  it("refuses record before connect, pause before record, and anything once finished", () => {
    expect(recorderTransition("STOP", "record", { connected: false, finished: false })).toEqual({
      refused: expect.stringMatching(/connect a source/),
    });
    expect(recorderTransition("STOP", "pause", connected)).toEqual({
      refused: expect.stringMatching(/record\(\) first/),
    });
    expect(recorderTransition("STOP", "record", { connected: true, finished: true })).toEqual({
      refused: expect.stringMatching(/finished/),
    });
  });
});

describe("PlayerEndpoint states", () => {
  it("plays, pauses, plays again, reaches the end", () => {
    expect(playerTransition("STOP", "play")).toEqual({ next: "START" });
    expect(playerTransition("START", "pause")).toEqual({ next: "PAUSE" });
    expect(playerTransition("PAUSE", "play")).toEqual({ next: "START" });
    expect(playerTransition("START", "endOfStream")).toEqual({ next: "STOP" });
    expect(playerTransition("PAUSE", "stop")).toEqual({ next: "STOP" });
  });

  it("refuses pause when stopped, and an end of stream when not playing", () => {
    expect(playerTransition("STOP", "pause")).toHaveProperty("refused");
    expect(playerTransition("PAUSE", "endOfStream")).toHaveProperty("refused");
  });
});

describe("media profiles", () => {
  it("records the WebM profiles, WEBM by default", () => {
    expect(profileTracks(undefined)).toEqual({ video: true, audio: true, profile: "WEBM" });
    expect(profileTracks("WEBM_VIDEO_ONLY")).toEqual({
      video: true,
      audio: false,
      profile: "WEBM_VIDEO_ONLY",
    });
    expect(profileTracks("WEBM_AUDIO_ONLY")).toEqual({
      video: false,
      audio: true,
      profile: "WEBM_AUDIO_ONLY",
    });
  });

  it("says which of Kurento's profiles are not supported, and which names are no profile at all", () => {
    expect(profileTracks("MP4")).toEqual({ refused: expect.stringMatching(/MP4 is not supported here/) });
    expect(profileTracks("AVI")).toEqual({ refused: expect.stringMatching(/must be one of WEBM, MKV/) });
    expect(profileTracks(3)).toHaveProperty("refused");
  });
});
