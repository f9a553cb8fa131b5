import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { mediaServerDir } from "./server.js";

export const QR_TEXT = "hello from the media server";

/** A 640×480, 30 fps Y4M of a QR code (qrencode + ffmpeg) for Chromium's fake camera; made once. */
export function qrCodeY4m(): string {
  const dir = path.join(mediaServerDir, ".fixtures");
  const png = path.join(dir, "qr.png");
  const y4m = path.join(dir, "qr.y4m");
  if (existsSync(y4m)) return y4m;
  mkdirSync(dir, { recursive: true });
  execFileSync("qrencode", ["-o", png, "-s", "8", "-m", "4", QR_TEXT]);
  execFileSync("ffmpeg", [
    "-loglevel",
    "error",
    "-y",
    "-loop",
    "1",
    "-i",
    png,
    "-vf",
    "scale=400:400,pad=640:480:(ow-iw)/2:(oh-ih)/2:white,format=yuv420p",
    "-r",
    "30",
    "-t",
    "1",
    y4m,
  ]);
  return y4m;
}
