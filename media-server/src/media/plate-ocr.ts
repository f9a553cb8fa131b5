import { type ChildProcess, spawn } from "node:child_process";
import { lowerPriority } from "./thread-priority.js";

const WHITELIST = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
// A read costs ~0.2 s of CPU but took 4.5 s of wall time on the 2 shared cores at load 20.
const OCR_TIMEOUT_MS = 15_000;
/** Reads start at most this often: back to back, tesseract would take most of a core per plate in view. */
const MIN_INTERVAL_MS = 500;

/** The tesseract argv: the image on stdin, the text on stdout, one line of plate characters. */
export const TESSERACT_ARGV = ["stdin", "stdout", "--psm", "7", "-c", `tessedit_char_whitelist=${WHITELIST}`];

/**
 * Reads plate images with Debian's tesseract, one child process per image (argv, no shell), away
 * from GStreamer's threads. At most one runs and one waits: a newer image replaces the waiting one
 * and anything more is dropped, so a slow OCR never builds a backlog; and reads start at most
 * twice a second.
 */
export class PlateOcr {
  private running: ChildProcess | undefined;
  private waiting: Buffer | undefined;
  private pacing: NodeJS.Timeout | undefined;
  private lastStart = Number.NEGATIVE_INFINITY;
  private stopped = false;

  constructor(private readonly onText: (text: string) => void) {}

  /** False when an image offered now would only wait (the caller may skip cropping it). */
  get idle(): boolean {
    return this.running === undefined && this.pacing === undefined;
  }

  offer(pgm: Buffer): void {
    if (this.stopped) return;
    const wait = this.lastStart + MIN_INTERVAL_MS - Date.now();
    if (this.running || this.pacing) this.waiting = pgm;
    else if (wait > 0) {
      this.waiting = pgm;
      this.pacing = setTimeout(() => {
        this.pacing = undefined;
        this.next();
      }, wait);
    } else this.run(pgm);
  }

  stop(): void {
    this.stopped = true;
    this.waiting = undefined;
    clearTimeout(this.pacing);
    this.pacing = undefined;
    this.running?.kill("SIGKILL");
  }

  private next(): void {
    const next = this.waiting;
    this.waiting = undefined;
    if (next) this.offer(next);
  }

  private run(pgm: Buffer): void {
    // setpriv: a SIGKILLed server leaves no tesseract behind (as for gst-launch, gst-process.ts).
    const child = spawn("setpriv", ["--pdeathsig", "KILL", "--", "tesseract", ...TESSERACT_ARGV], {
      stdio: ["pipe", "pipe", "ignore"],
      // One thread: a plate is small, and OpenMP would take both cores from the video.
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", OMP_THREAD_LIMIT: "1" },
    });
    // Analysis, like GStreamer's analysis threads: it takes the cores only when the video leaves them.
    if (child.pid !== undefined) lowerPriority(child.pid);
    this.running = child;
    this.lastStart = Date.now();
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out = (out + chunk).slice(0, 1000);
    });
    child.stdin?.on("error", () => {}); // tesseract may exit before reading everything
    child.stdin?.end(pgm);
    const timer = setTimeout(() => child.kill("SIGKILL"), OCR_TIMEOUT_MS);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      if (this.running !== child) return;
      this.running = undefined;
      if (ok && !this.stopped) this.onText(out);
      this.next();
    };
    child.on("error", () => done(false));
    child.on("exit", (code) => done(code === 0));
  }
}
