import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { mediaServerDir } from "./server.js";

export const PLATE_TEXT = "AB123CD";

const FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf";

/**
 * A 640×480, 30 fps Y4M for Chromium's fake camera: a plate-shaped (about 4.5:1) white box with a
 * black border and black text on ffmpeg's test pattern, as Haar plate cascades want; made once.
 */
export function plateY4m(): string {
  const dir = path.join(mediaServerDir, ".fixtures");
  const y4m = path.join(dir, "plate.y4m");
  if (existsSync(y4m)) return y4m;
  mkdirSync(dir, { recursive: true });
  const plate = [
    "drawbox=x=180:y=200:w=280:h=64:color=black:t=fill",
    "drawbox=x=186:y=206:w=268:h=52:color=white:t=fill",
    `drawtext=fontfile=${FONT}:text=${PLATE_TEXT}:fontsize=44:fontcolor=black:x=320-text_w/2:y=232-text_h/2`,
    "format=yuv420p",
  ].join(",");
  execFileSync("ffmpeg", [
    "-loglevel",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    "testsrc=size=640x480:rate=30",
    "-vf",
    plate,
    "-t",
    "1",
    y4m,
  ]);
  return y4m;
}
