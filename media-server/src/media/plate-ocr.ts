import { type ChildProcess, spawn } from "node:child_process";

const WHITELIST = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const OCR_TIMEOUT_MS = 5000;

/** The tesseract argv: the image on stdin, the text on stdout, one line of plate characters. */
export const TESSERACT_ARGV = ["stdin", "stdout", "--psm", "7", "-c", `tessedit_char_whitelist=${WHITELIST}`];

/**
 * Reads plate images with Debian's tesseract, one child process per image (argv, no shell), away
 * from GStreamer's threads. At most one runs and one waits: a newer image replaces the waiting one
 * and anything more is dropped, so a slow OCR never builds a backlog.
 */
export class PlateOcr {
  private running: ChildProcess | undefined;
  private waiting: Buffer | undefined;
  private stopped = false;

  constructor(private readonly onText: (text: string) => void) {}

  /** False when the OCR is busy and the image had to wait (the caller may skip cropping). */
  get idle(): boolean {
    return this.running === undefined;
  }

  offer(pgm: Buffer): void {
    if (this.stopped) return;
    if (this.running) this.waiting = pgm;
    else this.run(pgm);
  }

  stop(): void {
    this.stopped = true;
    this.waiting = undefined;
    this.running?.kill("SIGKILL");
  }

  private run(pgm: Buffer): void {
    // setpriv: a SIGKILLed server leaves no tesseract behind (as for gst-launch, gst-process.ts).
    const child = spawn("setpriv", ["--pdeathsig", "KILL", "--", "tesseract", ...TESSERACT_ARGV], {
      stdio: ["pipe", "pipe", "ignore"],
      // One thread: a plate is small, and OpenMP would take both cores from the video.
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", OMP_THREAD_LIMIT: "1" },
    });
    this.running = child;
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
      const next = this.waiting;
      this.waiting = undefined;
      if (next) this.offer(next);
    };
    child.on("error", () => done(false));
    child.on("exit", (code) => done(code === 0));
  }
}
