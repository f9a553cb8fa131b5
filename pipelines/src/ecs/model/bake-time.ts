import { UsageError } from "./errors.js";

// `--bake-time`: how long a deploy keeps watching its alarms after the rollout completed.

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };
/** A bake longer than this is a typo, not a plan (CloudWatch evaluates over at most a day too). */
const MAX_BAKE_SECONDS = 86_400;

/** `0`, `90s`, `5m`, `1h` (a bare number is seconds) → seconds. */
export function parseBakeTime(value: string): number {
  const match = /^(\d+)([smh]?)$/.exec(value.trim());
  if (!match) {
    throw new UsageError(`--bake-time must be a duration like 0, 90s, 5m or 1h, got "${value}"`);
  }
  const seconds = Number(match[1]) * (UNIT_SECONDS[match[2] || "s"] ?? 1);
  if (seconds > MAX_BAKE_SECONDS) {
    throw new UsageError(`--bake-time can be at most 24h, got "${value}"`);
  }
  return seconds;
}

/** How a bake time reads in the output: `90s`, `5m`, `5m30s`. */
export function formatBakeTime(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const rest = seconds % 60;
  return `${Math.floor(seconds / 60)}m${rest ? `${rest}s` : ""}`;
}
