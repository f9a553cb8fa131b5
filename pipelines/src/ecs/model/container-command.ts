import { UsageError } from "./errors.js";

/**
 * `-c CONTAINER CMD` as fabfuel accepts it: a JSON array of strings, or words split on whitespace.
 * The result is an argv array that ECS passes to the container as is (never through a shell).
 */
export function parseCommand(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new UsageError(`--command: ${JSON.stringify(text)} starts with "[" but is not a JSON array`);
    }
    if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === "string")) {
      throw new UsageError("--command: a JSON command must be an array of strings");
    }
    return parsed;
  }
  const words = trimmed.split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new UsageError("--command: the command is empty");
  return words;
}
