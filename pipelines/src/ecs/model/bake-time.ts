import { UsageError } from "./errors.js";

// Durations on the command line (`--bake-time 5m`, `--since 10m`), and how they read back.

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };
/** A bake longer than this is a typo, not a plan (CloudWatch evaluates over at most a day too). */
const MAX_BAKE_SECONDS = 86_400;

/** `0`, `90s`, `5m`, `1h` (a bare number is seconds) → seconds; `option` names the flag in errors. */
export function parseDuration(option: string, value: string, maxSeconds = MAX_BAKE_SECONDS): number {
  const match = /^(\d+)([smh]?)$/.exec(value.trim());
  if (!match) throw new UsageError(`${option} must be a duration like 0, 90s, 5m or 1h, got "${value}"`);
  const seconds = Number(match[1]) * (UNIT_SECONDS[match[2] || "s"] ?? 1);
  if (seconds > maxSeconds) {
    throw new UsageError(`${option} can be at most ${formatBakeTime(maxSeconds)}, got "${value}"`);
  }
  return seconds;
}

/** `--bake-time`: how long a deploy keeps watching its alarms after the rollout completed. */
export function parseBakeTime(value: string): number {
  return parseDuration("--bake-time", value);
}

/** How a bake time reads in the output: `90s`, `5m`, `5m30s`. */
export function formatBakeTime(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  const rest = seconds % 60;
  return `${Math.floor(seconds / 60)}m${rest ? `${rest}s` : ""}`;
}
