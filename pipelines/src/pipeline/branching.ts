import type { PipelineSettings } from "@platform/env";
import { STAGE_NAMES, type StageName } from "./stages.js";

// Which stages a branch runs, under the spec's `pipeline.branching` (env/platform.yaml). Trunk-based:
// the main branch runs every stage (the approve stage stands before prod); other branches run
// nothing. Gitflow: the develop branch runs up to verify-qa, the main branch runs the prod part
// (approve, promote, deploy-prod, verify-prod) on the images qa verified: main never builds.

/** The last stage of the qa part: what develop runs up to under gitflow. */
export const QA_PART_END: StageName = "verify-qa";

export type BranchStages =
  | { runs: true; stages: StageName[]; why: string }
  | { runs: false; stages: []; why: string };

export function branchStages(settings: PipelineSettings, branch: string): BranchStages {
  const { develop, main } = settings.branches;
  const qaEnd = STAGE_NAMES.indexOf(QA_PART_END) + 1;
  if (settings.branching === "trunk") {
    if (branch === main)
      return { runs: true, stages: [...STAGE_NAMES], why: `trunk-based: ${main} runs every stage` };
    return {
      runs: false,
      stages: [],
      why: `trunk-based: only ${main} deploys (${branch} is a short-lived branch)`,
    };
  }
  if (branch === develop)
    return {
      runs: true,
      stages: STAGE_NAMES.slice(0, qaEnd),
      why: `gitflow: ${develop} runs up to ${QA_PART_END}`,
    };
  if (branch === main)
    return {
      runs: true,
      stages: STAGE_NAMES.slice(qaEnd),
      why: `gitflow: ${main} promotes the images qa verified (${STAGE_NAMES.slice(qaEnd).join(", ")})`,
    };
  return { runs: false, stages: [], why: `gitflow: only ${develop} and ${main} deploy, not ${branch}` };
}
