import { element, elementArgv, type GstElement } from "./gst-element.js";
import { VP8_PAYLOAD_TYPE } from "./gst-pipeline.js";

// Command lines of the recorder's gst-launch and the player's ffmpeg, kept pure (argv only, no
// shell) so they can be tested without running anything. Every value is ours: ports we bound,
// files whose paths the recording store built.

export const OPUS_PAYLOAD_TYPE = 111;

export interface RecorderArgs {
  videoPort: number | undefined;
  audioPort: number | undefined;
  file: string;
}

/**
 * RTP in over UDP → depayload → webmmux → file. `-e` turns SIGINT into an EOS, so the muxer
 * finishes the file (header sizes, duration, cues) before gst-launch exits.
 */
export function recorderArgv(a: RecorderArgs): string[] {
  const mux: GstElement = { factory: "webmmux", props: { name: "mux" } };
  const sink: GstElement = { factory: "filesink", props: { location: a.file, sync: false, async: false } };
  const argv = ["-m", "-e", ...elementArgv(mux), "!", ...elementArgv(sink)];
  if (a.videoPort !== undefined) {
    const caps = `application/x-rtp,media=video,clock-rate=90000,encoding-name=VP8,payload=${VP8_PAYLOAD_TYPE}`;
    argv.push(...track(a.videoPort, caps, [element("rtpvp8depay")]));
  }
  if (a.audioPort !== undefined) {
    const caps = `application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=${OPUS_PAYLOAD_TYPE}`;
    argv.push(...track(a.audioPort, caps, [element("rtpopusdepay"), element("opusparse")]));
  }
  return argv;
}

/** One track: RTP from a loopback port, depayloaded (and parsed), into the muxer. */
function track(port: number, caps: string, depay: GstElement[]): string[] {
  const elements: GstElement[] = [
    { factory: "udpsrc", props: { address: "127.0.0.1", port, caps } },
    // Timestamps from the RTP clock (mode none), not from arrival: a loaded machine delays
    // packets unevenly, and arrival times would stretch or shrink the recording.
    element("rtpjitterbuffer", { latency: 100, mode: "none" }),
    ...depay,
    { factory: "queue", props: {} },
  ];
  return [...elements.flatMap((e, i) => (i === 0 ? elementArgv(e) : ["!", ...elementArgv(e)])), "!", "mux."];
}

/** ffmpeg's `-c copy` pass over a finished recording: timestamps from zero, cues at the front. */
export function remuxArgv(input: string, output: string): string[] {
  return [
    "-hide_banner",
    "-loglevel",
    "error",
    "-nostdin",
    "-y",
    "-i",
    input,
    "-c",
    "copy",
    "-cues_to_front",
    "1",
    "-f",
    "webm",
    output,
  ];
}

export interface PlayerArgs {
  file: string;
  /** Where to start, in ms. */
  positionMs: number;
  /** The source's video is VP8 already: sent as it is (Kurento's useEncodedMedia). */
  copyVideo: boolean;
  videoPort: number;
  /** Set when the source has audio: sent as Opus. */
  audioPort: number | undefined;
}

/** ffmpeg reading a file at its own pace (-re) and sending VP8 (and Opus) as RTP to our ports. */
export function playerArgv(a: PlayerArgs): string[] {
  const video = a.copyVideo
    ? ["-c:v", "copy"]
    : [
        "-c:v",
        "libvpx",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-lag-in-frames",
        "0",
        "-g",
        "30",
        "-b:v",
        "1M",
      ];
  const argv = [
    "-hide_banner",
    "-loglevel",
    "error",
    "-nostdin",
    "-re",
    ...(a.positionMs > 0 ? ["-ss", (a.positionMs / 1000).toFixed(3)] : []),
    "-i",
    a.file,
    "-map",
    "0:v:0",
    ...video,
    "-f",
    "rtp",
    "-payload_type",
    String(VP8_PAYLOAD_TYPE),
    `rtp://127.0.0.1:${a.videoPort}?pkt_size=1200`,
  ];
  if (a.audioPort !== undefined) {
    argv.push(
      "-map",
      "0:a:0",
      "-c:a",
      "libopus",
      "-ar",
      "48000",
      "-ac",
      "2",
      "-b:a",
      "64k",
      "-f",
      "rtp",
      "-payload_type",
      String(OPUS_PAYLOAD_TYPE),
      `rtp://127.0.0.1:${a.audioPort}?pkt_size=1200`,
    );
  }
  return argv;
}
