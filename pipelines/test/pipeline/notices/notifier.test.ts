import { join } from "node:path";
import { loadSpec } from "@platform/env";
import { describe, expect, it } from "vitest";
import type { Notice } from "../../../src/pipeline/notices/notice-text.js";
import { type NotifierSources, pipelineNotifier } from "../../../src/pipeline/notices/notifier.js";
import { environmentRedactor } from "../../../src/pipeline/notices/redact.js";
import { emptyState, type PipelineState } from "../../../src/pipeline/state-file.js";

const spec = loadSpec(join(import.meta.dirname, "..", "..", "..", "..", "env", "platform.yaml"));
const commit = "0123456789abcdef0123456789abcdef01234567";
const state: PipelineState = {
  ...emptyState(),
  commit,
  images: { api: { tag: "0123456789ab", digest: `sha256:${"b".repeat(64)}` } },
};

function sources(sent: Notice[], served: (string | undefined)[] = []): NotifierSources {
  return {
    spec,
    target: { kind: "aws", region: "eu-west-1", reason: "test" },
    servedCommit: async () => served.shift(),
    changesSince: (prodCommit) =>
      prodCommit
        ? { kind: "listed", prodCommit, subjects: ["Fix it"], more: false }
        : { kind: "unknown", reason: "prod serves nothing" },
    commitSubject: () => "Fix it",
    redact: environmentRedactor({ AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY" }),
    send: async (notice) => {
      sent.push(notice);
    },
  };
}

describe("pipelineNotifier", () => {
  it("tells qa when verify-qa passed: the commit, https://qa.<domain>, the changes since prod", async () => {
    const sent: Notice[] = [];
    const notify = pipelineNotifier(sources(sent, ["fedcba9876543210"]));
    await notify({ type: "passed", stage: "deploy-qa", state });
    expect(sent).toEqual([]);
    await notify({ type: "passed", stage: "verify-qa", state });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ environment: "qa", subject: "qa ready: 0123456789ab Fix it" });
    expect(sent[0]!.message).toContain("https://qa.example.com");
    expect(sent[0]!.message).toContain("(prod serves fedcba987654):\n  - Fix it");
  });

  it("tells prod after verify-prod which commit it served before deploy-prod started", async () => {
    const sent: Notice[] = [];
    const notify = pipelineNotifier(sources(sent, ["fedcba9876543210"]));
    await notify({ type: "started", stage: "deploy-prod", state });
    await notify({ type: "passed", stage: "deploy-prod", state });
    await notify({ type: "passed", stage: "verify-prod", state });
    expect(sent.map((n) => n.subject)).toEqual(["prod changed: 0123456789ab (was fedcba987654)"]);
    expect(sent[0]!.environment).toBe("prod");
  });

  it("tells the failing stage's environment (qa for stages without one), secrets masked", async () => {
    const sent: Notice[] = [];
    const notify = pipelineNotifier(sources(sent));
    const error = "denied for AKIAIOSFODNN7EXAMPLE with wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY";
    await notify({ type: "failed", stage: "promote", state, error });
    await notify({ type: "failed", stage: "lint", state: emptyState(), error: "biome: 3 errors" });
    expect(sent.map((n) => [n.environment, n.subject])).toEqual([
      ["prod", "pipeline failed: promote (prod) at 0123456789ab"],
      ["qa", "pipeline failed: lint (qa)"],
    ]);
    expect(sent[0]!.message).toContain("denied for **** with ****");
    expect(sent[0]!.message).not.toContain("EXAMPLEKEY");
  });
});
