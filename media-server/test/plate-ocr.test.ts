import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { PlateOcr } from "../src/media/plate-ocr.js";
import { ANALYSIS_NICE } from "../src/media/thread-priority.js";
import { PLATE_TEXT, plateY4m } from "./helpers/plate-fixture.js";

/** Nice values of this process's children named tesseract (/proc/<pid>/stat: ppid field 4, nice 19). */
function tesseractNices(): number[] {
  const nices: number[] = [];
  for (const entry of readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (stat.includes("(tesseract)") && Number(fields[1]) === process.pid) nices.push(Number(fields[16]));
    } catch {
      // it ended meanwhile
    }
  }
  return nices;
}

/** The fixture's plate, cut out and grey, as the filter hands it to tesseract. */
function platePgm(): Buffer {
  return execFileSync("ffmpeg", [
    "-loglevel",
    "error",
    "-i",
    plateY4m(),
    "-frames:v",
    "1",
    "-vf",
    "crop=346:102:156:177,format=gray",
    "-f",
    "image2pipe",
    "-c:v",
    "pgm",
    "-",
  ]);
}

describe("PlateOcr (real tesseract)", () => {
  const texts: string[] = [];
  const ocr = new PlateOcr((text) => texts.push(text));
  afterAll(() => ocr.stop());

  it("reads the plate, and while busy keeps one image waiting and drops the rest", async () => {
    const pgm = platePgm();
    expect(pgm.subarray(0, 2).toString()).toBe("P5");
    for (let i = 0; i < 5; i++) ocr.offer(pgm);
    for (let i = 0; i < 600 && texts.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(texts.map((t) => t.trim())).toEqual([PLATE_TEXT, PLATE_TEXT]);
    // Nothing runs or waits after the second: the other three were dropped.
    expect(ocr.idle).toBe(true);
  });

  it("an image tesseract cannot read yields no text and frees the OCR", async () => {
    const before = texts.length;
    ocr.offer(Buffer.from("not an image"));
    for (let i = 0; i < 100 && !ocr.idle; i++) await new Promise((r) => setTimeout(r, 50));
    expect(ocr.idle).toBe(true);
    expect(texts.slice(before).every((t) => t.trim() === "")).toBe(true);
  });

  it("runs tesseract at the analysis's lower priority", async () => {
    ocr.offer(platePgm());
    let seen: number[] = [];
    for (let i = 0; i < 400 && seen.length === 0 && !ocr.idle; i++) {
      seen = tesseractNices();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(seen).toEqual([ANALYSIS_NICE]);
    for (let i = 0; i < 600 && !ocr.idle; i++) await new Promise((r) => setTimeout(r, 50));
  });
});
