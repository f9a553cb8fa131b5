// The pipeline as data: every stage, what it needs done before it, what it reads from the
// pipeline state and what it adds to it. The runner, the CI definitions and the tests read this.

export const STAGE_NAMES = [
  "test",
  "build",
  "push",
  "deploy-qa",
  "verify-qa",
  "promote",
  "deploy-prod",
  "verify-prod",
] as const;

export type StageName = (typeof STAGE_NAMES)[number];

/** Facts a stage leaves in the pipeline state for later stages (and later CI jobs). */
export type Fact =
  | "tested"
  | "built"
  | "images.qa"
  | "deployed.qa"
  | "verified.qa"
  | "images.prod"
  | "deployed.prod"
  | "verified.prod";

export interface StageDefinition {
  name: StageName;
  title: string;
  /** Facts that must hold before the stage may run: produced earlier in this run, or loaded from the state file. */
  consumes: Fact[];
  produces: Fact[];
  /** The environment the stage changes or checks (CI maps this to its environments and approvals). */
  environment?: "qa" | "prod";
}

export const STAGES: readonly StageDefinition[] = [
  { name: "test", title: "Test", consumes: [], produces: ["tested"] },
  { name: "build", title: "Build images", consumes: ["tested"], produces: ["built"] },
  {
    name: "push",
    title: "Push to qa repositories",
    consumes: ["built"],
    produces: ["images.qa"],
    environment: "qa",
  },
  {
    name: "deploy-qa",
    title: "Deploy qa",
    consumes: ["images.qa"],
    produces: ["deployed.qa"],
    environment: "qa",
  },
  {
    name: "verify-qa",
    title: "Verify qa through the load balancer",
    consumes: ["images.qa", "deployed.qa"],
    produces: ["verified.qa"],
    environment: "qa",
  },
  {
    name: "promote",
    title: "Promote the verified digests to prod repositories",
    consumes: ["images.qa", "verified.qa"],
    produces: ["images.prod"],
    environment: "prod",
  },
  {
    name: "deploy-prod",
    title: "Deploy prod",
    consumes: ["images.prod"],
    produces: ["deployed.prod"],
    environment: "prod",
  },
  {
    name: "verify-prod",
    title: "Verify prod through the load balancer",
    consumes: ["images.prod", "deployed.prod"],
    produces: ["verified.prod"],
    environment: "prod",
  },
];

export function stageDefinition(name: StageName): StageDefinition {
  return STAGES.find((s) => s.name === name)!;
}

export function isStageName(value: string): value is StageName {
  return (STAGE_NAMES as readonly string[]).includes(value);
}
