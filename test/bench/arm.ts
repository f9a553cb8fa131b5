import { DescribeServiceDeploymentsCommand, ListServiceDeploymentsCommand } from "@aws-sdk/client-ecs";
import { waitFor } from "@platform/local-region/testing";
import type { RunningLoad, Sample } from "../src/load.js";
import { CLUSTER, type LocalRegionProcess } from "../src/region-process.js";
import { deployArgs, ecs, rollbackArgs } from "./ecs-cli.js";
import { servesOnly } from "./switch-time.js";

// One arm of the benchmark, on the service as it is: deploy a good version with the arm's strategy,
// then a bad one, then undo it the arm's way, and record when each step began. What production served
// in between is read afterwards from the load (report.ts).

export type Strategy = "ROLLING" | "BLUE_GREEN";

export const SERVICE = "api-prod";

export interface ArmContext {
  region: LocalRegionProcess;
  load: RunningLoad;
  versionOf: (sample: Sample) => string | undefined;
}

export interface ArmImage {
  commit: string;
  uri: string;
}

export interface ArmRun {
  strategy: Strategy;
  run: number;
  versions: { before: string; good: string; bad: string };
  /** epoch ms each step began (the CLI's start) and how long its CLI ran. */
  good: { startedAt: number; cliMs: number };
  bad: { startedAt: number; cliMs: number; liveAt: number };
  undo: {
    /** The decision: the moment `ecs rollback` is started, production answering only the bad version. */
    decidedAt: number;
    cliMs: number;
    /** BLUE_GREEN: when ECS began the rollback (its service deployment's rollback.startedAt). */
    ecsRollbackStartedAt?: number;
    steadyAt: number;
  };
}

/** Each arm's flags: ROLLING skips the CLI's alarm watch; BLUE_GREEN bakes only the bad version, to undo it inside the bake. */
const FLAGS: Record<Strategy, { good: string[]; bad: string[] }> = {
  ROLLING: {
    good: ["--strategy", "ROLLING", "--bake-time", "0"],
    bad: ["--strategy", "ROLLING", "--bake-time", "0"],
  },
  BLUE_GREEN: {
    good: ["--strategy", "BLUE_GREEN", "--bake-time", "0"],
    bad: ["--strategy", "BLUE_GREEN", "--bake-time", "1m", "--wait-until", "BAKE_TIME"],
  },
};

const STEADY_MS = 240_000;
const SWITCH_MS = 120_000;
/** Consecutive answers of one version that count as "production serves it". */
const CONFIRMING_REQUESTS = 30;

export async function runArm(
  ctx: ArmContext,
  strategy: Strategy,
  run: number,
  images: { before: string; good: ArmImage; bad: ArmImage },
): Promise<ArmRun> {
  const { region } = ctx;
  await region.waitUntilSteady([SERVICE], STEADY_MS);
  const good = await ecs(region, deployArgs(SERVICE, images.good.uri, FLAGS[strategy].good));
  await servingOnly(ctx, images.good.commit, good.startedAt);
  await region.waitUntilSteady([SERVICE], STEADY_MS);

  const bad = await ecs(region, deployArgs(SERVICE, images.bad.uri, FLAGS[strategy].bad));
  const liveAt = await servingOnly(ctx, images.bad.commit, bad.startedAt);
  // A rolling deployment is undone once it is done; a blue/green one inside its bake, as it is meant to be.
  if (strategy === "ROLLING") await region.waitUntilSteady([SERVICE], STEADY_MS);

  const undo = await ecs(region, rollbackArgs(SERVICE));
  await servingOnly(ctx, images.good.commit, undo.startedAt);
  await region.waitUntilSteady([SERVICE], STEADY_MS);
  const steadyAt = Date.now();
  const ecsRollbackStartedAt = strategy === "BLUE_GREEN" ? await rollbackStart(region) : undefined;
  return {
    strategy,
    run,
    versions: { before: images.before, good: images.good.commit, bad: images.bad.commit },
    good: { startedAt: good.startedAt, cliMs: good.elapsedMs },
    bad: { startedAt: bad.startedAt, cliMs: bad.elapsedMs, liveAt },
    undo: {
      decidedAt: undo.startedAt,
      cliMs: undo.elapsedMs,
      ...(ecsRollbackStartedAt !== undefined && { ecsRollbackStartedAt }),
      steadyAt,
    },
  };
}

/** Until production answers only `version` (sent after `since`); when that was seen. */
async function servingOnly(ctx: ArmContext, version: string, since: number): Promise<number> {
  return waitFor(
    `production to answer only ${version}`,
    () =>
      servesOnly(ctx.load.samples(), ctx.versionOf, version, since, CONFIRMING_REQUESTS)
        ? Date.now()
        : undefined,
    SWITCH_MS,
    50,
  );
}

/** The newest service deployment ECS rolled back: when its rollback began, by ECS's own account. */
async function rollbackStart(region: LocalRegionProcess): Promise<number | undefined> {
  const { ecs: client } = region.clients();
  const listed = await client.send(
    new ListServiceDeploymentsCommand({
      cluster: CLUSTER,
      service: SERVICE,
      status: ["ROLLBACK_SUCCESSFUL"],
    }),
  );
  const newest = [...(listed.serviceDeployments ?? [])].sort(
    (a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0),
  )[0];
  if (!newest?.serviceDeploymentArn) return undefined;
  const described = await client.send(
    new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [newest.serviceDeploymentArn] }),
  );
  return described.serviceDeployments?.[0]?.rollback?.startedAt?.getTime();
}
