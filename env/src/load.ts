import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { type Document, isMap, isSeq, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { type PlatformSpec, platformSpec } from "./schema.js";

/** The spec that ships with the repository (next to env/package.json, from src/ or from dist/src/). */
export const DEFAULT_SPEC_FILE = findShippedSpec(dirname(fileURLToPath(import.meta.url)));

function findShippedSpec(moduleDir: string): string {
  const candidates = [join(moduleDir, "..", "platform.yaml"), join(moduleDir, "..", "..", "platform.yaml")];
  return candidates.find((file) => existsSync(file)) ?? candidates[0]!;
}

export interface SpecProblem {
  /** Dotted path inside the document, e.g. `environments.qa.services.api.memory`. */
  path: string;
  /** 1-based line of the offending node, when the path exists in the file. */
  line?: number;
  message: string;
}

/** A spec that can't be used. Its message names the file, the line, the path and what was expected. */
export class SpecError extends Error {
  constructor(
    readonly file: string,
    readonly problems: SpecProblem[],
  ) {
    super(
      [
        `invalid environment spec ${displayPath(file)}:`,
        ...problems.map((p) => `  ${formatProblem(file, p)}`),
      ].join("\n"),
    );
    this.name = "SpecError";
  }
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}

function formatProblem(file: string, p: SpecProblem): string {
  const where = p.line ? `${displayPath(file)}:${p.line}` : displayPath(file);
  return `${where} ${p.path || "(document)"}: ${p.message}`;
}

export function loadSpec(file: string = DEFAULT_SPEC_FILE): PlatformSpec {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new SpecError(file, [
      { path: "", message: `cannot read the file (${(error as NodeJS.ErrnoException).code})` },
    ]);
  }
  return parseSpec(text, file);
}

export function parseSpec(text: string, file = "<inline>"): PlatformSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { merge: true, lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new SpecError(
      file,
      doc.errors.map((e) => ({
        path: "",
        line: e.linePos?.[0]?.line,
        message: `YAML syntax: ${e.message.split("\n")[0]}`,
      })),
    );
  }
  const raw = withoutAnchorHolders(doc.toJS({ maxAliasCount: 1000 }));
  const result = platformSpec.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  throw new SpecError(
    file,
    result.error.issues.map((issue) => toProblem(issue, doc, lineCounter)),
  );
}

/** Top-level keys starting with "." only hold YAML anchors for reuse (`.api: &api`). */
function withoutAnchorHolders(value: unknown): unknown {
  if (!value || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !key.startsWith(".")));
}

function toProblem(issue: z.core.$ZodIssue, doc: Document, lineCounter: LineCounter): SpecProblem {
  const path = issue.path.map(String);
  return { path: path.join("."), line: lineOf(doc, path, lineCounter), message: describeIssue(issue) };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined
        ? `required, expected ${issue.expected}`
        : `expected ${issue.expected}, got ${describeValue(issue.input)}`;
    case "unrecognized_keys":
      return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")} (a typo?)`;
    case "too_small":
      return `must be at least ${String(issue.minimum)}${issue.origin === "array" ? " item(s)" : ""}, got ${describeValue(issue.input)}`;
    case "too_big":
      return `must be at most ${String(issue.maximum)}, got ${describeValue(issue.input)}`;
    case "invalid_format":
      return `expected ${issue.message ?? issue.format}, got ${describeValue(issue.input)}`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${describeValue(issue.input)}`;
    case "invalid_union":
      return `not a valid value here: ${issue.message}, got ${describeValue(issue.input)}`;
    default:
      return `${issue.message}${"input" in issue && issue.input !== undefined ? `, got ${describeValue(issue.input)}` : ""}`;
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return `"${value.length > 60 ? `${value.slice(0, 57)}...` : value}"`;
  if (typeof value === "object") return Array.isArray(value) ? "a list" : "a mapping";
  return `${typeof value} ${String(value)}`;
}

/** The line of the deepest node of `path` that exists in the document. */
function lineOf(doc: Document, path: string[], lineCounter: LineCounter): number | undefined {
  let node: unknown = doc.contents;
  let line: number | undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => String((item.key as { value?: unknown })?.value ?? item.key) === key,
      );
      if (!pair) break;
      const keyRange = (pair.key as { range?: [number, number, number] })?.range;
      if (keyRange) line = lineCounter.linePos(keyRange[0]).line;
      node = pair.value;
    } else if (isSeq(node)) {
      node = node.items[Number(key)];
      const range = (node as { range?: [number, number, number] })?.range;
      if (range) line = lineCounter.linePos(range[0]).line;
    } else {
      break;
    }
  }
  return line;
}
