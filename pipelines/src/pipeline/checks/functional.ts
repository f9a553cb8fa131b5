import type { AppName, EnvironmentName, PlatformSpec } from "@platform/env";
import { apiAdminKey } from "./api-key.js";
import type { CheckEndpoint } from "./endpoint.js";
import { checkTranscodeJob, describeTranscode } from "./transcode-job.js";
import { checkWebrtcFrames, describeFrames } from "./webrtc-frames.js";

// Each app's functional check: does the environment do its job, not only answer its health check.
// The verify stage runs it through production's listener, verify-green through the test listener.

export interface FunctionalContext {
  spec: PlatformSpec;
  env: EnvironmentName;
  endpoint: CheckEndpoint;
  /** This run's commit: it names the check's objects. */
  commit: string;
  /** Points the SDK at the pipeline's target (the child tools' environment). */
  awsEnv: NodeJS.ProcessEnv;
  log: (line: string) => void;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

const JOB_TIMEOUT_MS = 120_000;

/** Resolves with what was measured ("api: job … COMPLETE in 4.1 s, …"); rejects with what failed. */
export async function functionalCheck(app: AppName, ctx: FunctionalContext): Promise<string> {
  const log = (line: string) => ctx.log(`${app}: ${line}`);
  try {
    if (app === "api") {
      const apiKey = await apiAdminKey(ctx.spec, ctx.env, ctx.awsEnv);
      const measure = await checkTranscodeJob({ ...ctx, apiKey, log, timeoutMs: JOB_TIMEOUT_MS });
      return `api: ${describeTranscode(measure)}`;
    }
    const measure = await checkWebrtcFrames({ ...ctx, log });
    return `media-server: ${describeFrames(measure)}`;
  } catch (error) {
    throw new Error(`${ctx.env} ${app} functional check (${ctx.endpoint.host}): ${(error as Error).message}`);
  }
}
