// Parsing of ffmpeg's machine-readable output: `-progress pipe:1` blocks, the psnr/ssim stats files,
// and the summary lines ffmpeg prints on stderr. Pure functions over text.

export interface ProgressBlock {
  outTimeUs: number | undefined;
  done: boolean;
}

/**
 * Feeds chunks of `-progress` output; calls `onBlock` at every `progress=` line, which closes one
 * block of key=value lines.
 */
export class ProgressParser {
  private buffered = "";
  private outTimeUs: number | undefined;

  constructor(private readonly onBlock: (block: ProgressBlock) => void) {}

  push(chunk: string): void {
    this.buffered += chunk;
    const lines = this.buffered.split("\n");
    this.buffered = lines.pop() ?? "";
    for (const line of lines) this.line(line.trim());
  }

  private line(line: string): void {
    const eq = line.indexOf("=");
    if (eq < 0) return;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key === "out_time_us" || key === "out_time_ms") {
      // Both keys carry microseconds (out_time_ms is misnamed in ffmpeg).
      const us = Number(value);
      if (Number.isFinite(us) && us >= 0) this.outTimeUs = us;
    } else if (key === "progress") {
      this.onBlock({ outTimeUs: this.outTimeUs, done: value === "end" });
    }
  }
}

/** Whole percent, 0..100; 100 only when ffmpeg says it is done. */
export function percentOf(block: ProgressBlock, durationSeconds: number | undefined): number {
  if (block.done) return 100;
  if (!durationSeconds || durationSeconds <= 0 || block.outTimeUs === undefined) return 0;
  const ratio = block.outTimeUs / 1e6 / durationSeconds;
  return Math.max(0, Math.min(99, Math.floor(ratio * 100)));
}

export interface FrameQuality {
  n: number;
  psnr?: number;
  ssim?: number;
}

function fields(line: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of line.trim().split(/\s+/)) {
    const colon = part.indexOf(":");
    if (colon > 0) out.set(part.slice(0, colon), part.slice(colon + 1));
  }
  return out;
}

function finiteOrInf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text === "inf") return Number.POSITIVE_INFINITY;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** Lines of psnr's stats_file: `n:1 mse_avg:0.52 ... psnr_avg:50.96 psnr_y:...`. */
export function parsePsnrStats(text: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of text.split("\n")) {
    const f = fields(line);
    const n = Number(f.get("n"));
    const psnr = finiteOrInf(f.get("psnr_avg"));
    if (Number.isInteger(n) && psnr !== undefined) out.set(n, psnr);
  }
  return out;
}

/** Lines of ssim's stats_file: `n:1 Y:0.98 U:0.99 V:0.99 All:0.985 (18.3)`. */
export function parseSsimStats(text: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of text.split("\n")) {
    const f = fields(line);
    const n = Number(f.get("n"));
    const all = finiteOrInf(f.get("All"));
    if (Number.isInteger(n) && all !== undefined) out.set(n, all);
  }
  return out;
}

export function mergeFrames(psnr: Map<number, number>, ssim: Map<number, number>): FrameQuality[] {
  const frames = new Set([...psnr.keys(), ...ssim.keys()]);
  return [...frames].sort((a, b) => a - b).map((n) => ({ n, psnr: psnr.get(n), ssim: ssim.get(n) }));
}

export interface QualitySummary {
  psnr: number | undefined;
  ssim: number | undefined;
}

/** ffmpeg's own summary lines on stderr: `PSNR y:.. u:.. v:.. average:41.23 ...`, `SSIM Y:.. All:0.97 (..)`. */
export function parseQualitySummary(stderr: string): QualitySummary {
  const psnr = /PSNR y:\S+ u:\S+ v:\S+ average:(\S+)/.exec(stderr)?.[1];
  const ssim = /SSIM Y:\S+ (?:\(\S+\) )?U:\S+ (?:\(\S+\) )?V:\S+ (?:\(\S+\) )?All:(\S+)/.exec(stderr)?.[1];
  return { psnr: finiteOrInf(psnr), ssim: finiteOrInf(ssim) };
}
