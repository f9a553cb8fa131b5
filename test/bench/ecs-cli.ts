import { ecsCli } from "../src/ecs-cli.js";
import { CLUSTER, type LocalRegionProcess } from "../src/region-process.js";

// The `ecs` CLI as a pipeline runs it: a child process (built CLI), the region's AWS settings.

const LIMIT_MS = 300_000;

export interface CliRun {
  startedAt: number;
  elapsedMs: number;
}

export async function ecs(region: LocalRegionProcess, args: string[]): Promise<CliRun> {
  const startedAt = Date.now();
  const run = await ecsCli(region, args, LIMIT_MS);
  if (run.code !== 0) {
    throw new Error(`ecs ${args.join(" ")} exited ${run.code}:\n${run.output.slice(-3000)}`);
  }
  return { startedAt, elapsedMs: run.elapsedMs };
}

export function deployArgs(service: string, image: string, flags: string[]): string[] {
  return ["deploy", CLUSTER, service, "-i", "api", image, "--timeout", "240", ...flags];
}

export function rollbackArgs(service: string): string[] {
  return ["rollback", CLUSTER, service, "--timeout", "240"];
}
