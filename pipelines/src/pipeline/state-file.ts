import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { type Fact, STAGES } from "./stages.js";

// The pipeline state: what earlier stages did, kept in a JSON file so that a later CI job (another
// machine, another day) continues with exactly the same image digests.

export interface ImageRecord {
  tag: string;
  /** The image digest: the identity that moves from qa to prod unchanged. */
  digest: string;
  /** Pinned URIs (`<repository>@sha256:...`) per environment, once pushed or promoted there. */
  qa?: string;
  prod?: string;
}

/**
 * A service's runtime configuration, generated for its environment (env's runtimeConfig): plain
 * settings, and secrets as references. No secret value is ever in the state.
 */
export interface RuntimeConfigRecord {
  environment: Record<string, string>;
  secrets: Record<string, string>;
}

export interface PipelineState {
  version: 1;
  commit?: string;
  images: Record<string, ImageRecord>;
  /** Per ECS service (`api-qa`, ...): what its next task definition gets besides the image. */
  runtime?: Record<string, RuntimeConfigRecord>;
  facts: Fact[];
}

export function emptyState(): PipelineState {
  return { version: 1, images: {}, facts: [] };
}

/** Every fact a stage can record: the stage table's. */
const FACTS: readonly string[] = [...new Set(STAGES.flatMap((s) => s.produces))];
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Parses a state file; every mistake names the field. */
export function parseState(text: string, file: string): PipelineState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not JSON`);
  }
  const state = value as Partial<PipelineState>;
  if (!state || typeof state !== "object" || state.version !== 1)
    throw new Error(`${file}: version must be 1`);
  if (!Array.isArray(state.facts) || !state.facts.every((f) => FACTS.includes(f))) {
    throw new Error(`${file}: facts must be a list of ${FACTS.join(", ")}`);
  }
  if (!state.images || typeof state.images !== "object") throw new Error(`${file}: images must be an object`);
  for (const [app, image] of Object.entries(state.images)) {
    if (typeof image?.tag !== "string" || typeof image.digest !== "string" || !DIGEST.test(image.digest)) {
      throw new Error(`${file}: images.${app} needs a tag and a sha256 digest`);
    }
  }
  if (state.commit !== undefined && typeof state.commit !== "string")
    throw new Error(`${file}: commit must be a string`);
  if (state.runtime !== undefined) checkRuntime(state.runtime, file);
  return {
    version: 1,
    images: state.images,
    facts: state.facts,
    ...(state.commit && { commit: state.commit }),
    ...(state.runtime && { runtime: state.runtime }),
  };
}

function checkRuntime(runtime: unknown, file: string): void {
  if (!runtime || typeof runtime !== "object") throw new Error(`${file}: runtime must be an object`);
  for (const [service, config] of Object.entries(runtime)) {
    const c = config as Partial<RuntimeConfigRecord> | undefined;
    if (!isStringRecord(c?.environment) || !isStringRecord(c?.secrets)) {
      throw new Error(`${file}: runtime.${service} needs environment and secrets, each of names to strings`);
    }
  }
}

const isStringRecord = (value: unknown): value is Record<string, string> =>
  typeof value === "object" &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every((v) => typeof v === "string");

export function readState(file: string): PipelineState {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return emptyState();
    throw error;
  }
  return parseState(text, file);
}

/** Atomic: a crash mid-write leaves the previous state, never half a file. */
export function writeState(file: string, state: PipelineState): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temp, file);
}

export function withFact(state: PipelineState, fact: Fact): PipelineState {
  return state.facts.includes(fact) ? state : { ...state, facts: [...state.facts, fact] };
}

/** A fresh run starting at `test` or `build` forgets what an older run recorded. */
export function withoutFacts(state: PipelineState, facts: readonly Fact[]): PipelineState {
  return { ...state, facts: state.facts.filter((f) => !facts.includes(f)) };
}

/**
 * Parses `--expect api=sha256:...,media-server=sha256:...` and checks the state records exactly those
 * digests: a CI job that received the digests as parameters refuses a state file that disagrees.
 */
export function checkExpectedDigests(state: PipelineState, expect: string[]): void {
  for (const item of expect) {
    const [app, digest] = item.split("=");
    if (!app || !digest || !DIGEST.test(digest))
      throw new Error(`--expect ${item}: expected <app>=sha256:<64 hex>`);
    const recorded = state.images[app]?.digest;
    if (recorded !== digest) {
      throw new Error(
        `the pipeline state records ${recorded ?? "no image"} for ${app}, but this job expects ${digest}`,
      );
    }
  }
}
