import { type RunResult, runNode } from "@platform/local-region/testing";
import { type LocalRegionProcess, REPO_ROOT } from "./region-process.js";

/** The `ecs` CLI (pipelines' built cli.js) as CI runs it, against the suite's region. */
export function ecsCli(region: LocalRegionProcess, args: string[], limitMs = 240_000): Promise<RunResult> {
  return runNode(["pipelines/dist/src/ecs/cli.js", ...args], {
    cwd: REPO_ROOT,
    env: region.awsEnv(),
    limitMs,
  });
}

/** `ecs deploy platform <service> -i <container> <image> <flags...>`. */
export function ecsDeploy(
  region: LocalRegionProcess,
  service: string,
  image: { container: string; uri: string },
  flags: string[] = [],
): Promise<RunResult> {
  return ecsCli(region, ["deploy", "platform", service, "-i", image.container, image.uri, ...flags]);
}
