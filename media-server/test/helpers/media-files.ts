import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** A test clip made by ffmpeg: moving colour bars with a counter, VP8 in WebM, with a tone in Opus if asked. */
export function makeClip(file: string, seconds: number, fps: number, withAudio = false): void {
  const audio = withAudio ? `-f lavfi -i sine=frequency=440:duration=${seconds} -c:a libopus` : "";
  const args = `-hide_banner -loglevel error -y -f lavfi -i testsrc2=size=320x240:rate=${fps} ${audio}`;
  execFileSync("ffmpeg", [
    ...args.split(" ").filter(Boolean),
    ...["-t", String(seconds), "-c:v", "libvpx", "-deadline", "realtime", "-g", String(fps), file],
  ]);
}

/** The codec of each stream in a file, in order. */
export function codecs(file: string): string[] {
  const out = execFileSync(
    "ffprobe",
    ["-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", file],
    {
      encoding: "utf8",
    },
  );
  return out.trim().split("\n");
}

export interface Probe {
  duration: number;
  frames: number;
  codec: string;
  width: number;
}

/** ffprobe's view of a file: format duration, decoded video frames, codec. */
export function probe(file: string): Probe {
  const out = JSON.parse(
    execFileSync(
      "ffprobe",
      [
        "-v",
        "error",
        "-count_frames",
        "-select_streams",
        "v:0",
        "-show_entries",
        "format=duration:stream=codec_name,width,nb_read_frames",
        "-of",
        "json",
        file,
      ],
      { encoding: "utf8" },
    ),
  ) as {
    format: { duration: string };
    streams: Array<{ codec_name: string; width: number; nb_read_frames: string }>;
  };
  const stream = out.streams[0]!;
  return {
    duration: Number(out.format.duration),
    frames: Number(stream.nb_read_frames),
    codec: stream.codec_name,
    width: stream.width,
  };
}

/**
 * Whether a Matroska file has a top-level Cues element (the index players seek with). Walks the
 * Segment's children by their EBML sizes, so an ID's bytes inside a frame don't count.
 */
export function hasCues(file: string): boolean {
  const b = readFileSync(file);
  const vint = (at: number, keepMarker: boolean) => {
    const first = b[at]!;
    let length = 1;
    while (length <= 8 && !(first & (0x80 >> (length - 1)))) length++;
    let value = keepMarker ? first : first & (0xff >> length);
    for (let i = 1; i < length; i++) value = value * 256 + b[at + i]!;
    return { value, length };
  };
  let at = 0;
  const header = vint(at, true);
  const headerSize = vint(at + header.length, false);
  at += header.length + headerSize.length + headerSize.value; // EBML header
  const segment = vint(at, true);
  if (segment.value !== 0x18538067) return false;
  at += segment.length + vint(at + segment.length, false).length;
  while (at < b.length) {
    const id = vint(at, true);
    const size = vint(at + id.length, false);
    if (id.value === 0x1c53bb6b) return true;
    at += id.length + size.length + size.value;
  }
  return false;
}
