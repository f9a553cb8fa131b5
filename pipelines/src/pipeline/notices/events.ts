import type { StageName } from "../stages.js";
import type { PipelineState } from "../state-file.js";

// What the runner tells the notifier: each stage's start, pass and failure. Which of them becomes a
// notice is the notifier's rule (notifier.ts), so the runner stays one loop.

export type StageEvent =
  | { type: "started"; stage: StageName; state: PipelineState }
  | { type: "passed"; stage: StageName; state: PipelineState }
  | { type: "failed"; stage: StageName; state: PipelineState; error: string };

/** Hands an event to whoever tells the team; rejects when a notice could not be sent. */
export type Notify = (event: StageEvent) => Promise<void>;
