import { environmentHost, type PlatformSpec } from "@platform/env";
import type { Target } from "../../image/target.js";
import { stageDefinition } from "../stages.js";
import type { PipelineState } from "../state-file.js";
import type { Notify, StageEvent } from "./events.js";
import {
  type Changes,
  type Notice,
  prodChangedNotice,
  qaReadyNotice,
  stageFailedNotice,
} from "./notice-text.js";

// The rules: verify-qa passed → "qa ready"; verify-prod passed → "prod changed"; any stage failed →
// "stage failed" to that stage's environment (qa's for stages without one). Before deploy-prod the
// notifier notes what prod serves, so "prod changed" can say from which commit.

export interface NotifierSources {
  spec: PlatformSpec;
  target: Target;
  /** The commit an environment's API reports through the load balancer; undefined when it serves nothing. */
  servedCommit: (env: "qa" | "prod") => Promise<string | undefined>;
  changesSince: (prodCommit: string | undefined, commit: string) => Changes;
  commitSubject: (commit: string) => string | undefined;
  redact: (text: string) => string;
  send: (notice: Notice) => Promise<void>;
}

export function pipelineNotifier(sources: NotifierSources): Notify {
  let prodBefore: string | undefined;
  return async (event) => {
    if (event.type === "started" && event.stage === "deploy-prod") {
      prodBefore = await sources.servedCommit("prod").catch(() => undefined);
      return;
    }
    const notice = await noticeFor(event, sources, prodBefore);
    if (notice) await sources.send(notice);
  };
}

async function noticeFor(
  event: StageEvent,
  sources: NotifierSources,
  prodBefore: string | undefined,
): Promise<Notice | undefined> {
  const commit = event.state.commit;
  if (event.type === "failed") {
    return stageFailedNotice({
      stage: event.stage,
      environment: stageDefinition(event.stage).environment ?? "qa",
      error: sources.redact(event.error),
      ...(commit && { commit }),
    });
  }
  if (event.type !== "passed" || !commit) return undefined;
  if (event.stage === "verify-qa") {
    const prodCommit = await sources.servedCommit("prod").catch(() => undefined);
    const firstSubject = sources.commitSubject(commit);
    return qaReadyNotice({
      commit,
      ...(firstSubject && { firstSubject }),
      qaUrl: environmentUrl(sources.spec, sources.target, "qa"),
      changes: sources.changesSince(prodCommit, commit),
    });
  }
  if (event.stage === "verify-prod") {
    return prodChangedNotice({
      commit,
      images: imagesOf(event.state),
      ...(prodBefore && { previousCommit: prodBefore }),
      prodUrl: environmentUrl(sources.spec, sources.target, "prod"),
    });
  }
  return undefined;
}

function imagesOf(state: PipelineState): Record<string, { tag: string; digest: string }> {
  return Object.fromEntries(
    Object.entries(state.images).map(([app, r]) => [app, { tag: r.tag, digest: r.digest }]),
  );
}

/** The address people open: https://qa.<domain> on AWS, http://qa.localhost:<httpPort> locally. */
export function environmentUrl(spec: PlatformSpec, target: Target, env: "qa" | "prod"): string {
  if (target.kind === "local")
    return `http://${environmentHost(spec, env, spec.local.domain) ?? spec.local.domain}:${spec.local.httpPort}`;
  return `https://${environmentHost(spec, env) ?? spec.domain}`;
}
