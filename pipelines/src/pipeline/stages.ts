// The pipeline as data: every stage, what it needs done before it, what it reads from the
// pipeline state and what it adds to it, and how CI servers run it. The runner, the CI
// definitions (src/ci-definitions/, which generate .github/workflows/ and .teamcity/) and the
// tests read this table; nothing else lists the stages.

export const STAGE_NAMES = [
  "install",
  "lint",
  "test",
  "build",
  "push",
  "deploy-qa",
  "verify-qa",
  "approve",
  "promote",
  "deploy-prod",
  "verify-prod",
] as const;

export type StageName = (typeof STAGE_NAMES)[number];

/** Facts a stage leaves in the pipeline state for later stages (and later CI jobs). */
export type Fact =
  | "linted"
  | "tested"
  | "built"
  | "images.qa"
  | "deployed.qa"
  | "verified.qa"
  | "approved"
  | "images.prod"
  | "deployed.prod"
  | "verified.prod";

export type EnvironmentName = "qa" | "prod";

/**
 * The CI jobs, in order: the stages one runner machine runs together on one checkout. A job's
 * stages hand their state on through the state file; a job hands it to the next as an artifact.
 */
export const CI_JOBS = [
  { id: "test", title: "Test", timeoutMinutes: 60 },
  { id: "build-push", title: "Build & push", timeoutMinutes: 30 },
  // Deploy and verify in one job: the environment's concurrency lock covers both.
  { id: "deploy-qa", title: "Deploy & verify qa", timeoutMinutes: 30 },
  { id: "promote-prod", title: "Promote & deploy prod", timeoutMinutes: 30 },
] as const;

export type CiJobId = (typeof CI_JOBS)[number]["id"];

export interface StageDefinition {
  name: StageName;
  title: string;
  /** Facts that must hold before the stage may run: produced earlier in this run, or loaded from the state file. */
  consumes: Fact[];
  produces: Fact[];
  /** The environment the stage changes or checks (CI maps this to its environments and approvals). */
  environment?: EnvironmentName;
  /** The CI job the stage runs in. */
  job: CiJobId;
  /**
   * "setup": the CI runner's own first step of every job (the pipeline can't install itself), and
   * a stage of `npm run pipeline` on a developer's machine. "pipeline": `npm run pipeline -- --only`.
   */
  ci: "setup" | "pipeline";
  /** The AWS role (per environment, assumed through OIDC in CI) the stage's calls need; none = no AWS call. */
  awsRole?: EnvironmentName;
  /** Runs against the local region even in CI (its tests start their own), not the deploy target. */
  localRegion?: boolean;
  /** A person approves before this stage: GitHub's environment reviewers, TeamCity's approval feature, `--approve` here. */
  approval?: boolean;
  /** Deploys one ECS service per app with `ecs deploy` (TeamCity gives each service a build of its own). */
  deploysServices?: boolean;
  /** Skipping it with --skip stands for having done it (the user's explicit call), as for tests. */
  skipStandsAsDone?: boolean;
  /** Options CI adds to `npm run pipeline` for this stage. */
  ciOptions?: string[];
}

/** `ecs deploy --timeout` for every deploy, locally and in CI (seconds). */
export const DEPLOY_TIMEOUT_SECONDS = 600;

/** What the test stage runs in CI: the repository's one test command, with coverage and JUnit XML. */
export const CI_TEST_COMMAND = "npm test";

/** The install stage: the whole set-up where tests run, only the npm dependencies where tools run. */
export const INSTALL_COMMANDS = {
  /** Debian packages, Node 24 and npm dependencies (scripts/setup.sh, idempotent), then the compile. */
  full: ["bash scripts/setup.sh", "npm run build"],
  /** A CI job that only runs the tools (build, push, deploy, verify) on a runner with Node 24. */
  tools: ["npm ci --no-audit --no-fund", "npm run build"],
} as const;

/** The lint stage: Biome over the whole repository (the compile in install type-checks it). */
export const LINT_COMMAND = "npm run lint";

export const STAGES: readonly StageDefinition[] = [
  {
    name: "install",
    title: "Install (setup, dependencies, compile)",
    consumes: [],
    produces: [],
    job: "test",
    ci: "setup",
    localRegion: true,
    skipStandsAsDone: true,
  },
  {
    name: "lint",
    title: "Lint and type-check",
    consumes: [],
    produces: ["linted"],
    job: "test",
    ci: "pipeline",
    localRegion: true,
    skipStandsAsDone: true,
  },
  {
    name: "test",
    title: "Test, with coverage",
    consumes: [],
    produces: ["tested"],
    job: "test",
    ci: "pipeline",
    localRegion: true,
    skipStandsAsDone: true,
    ciOptions: ["--test-command", `"${CI_TEST_COMMAND}"`],
  },
  {
    name: "build",
    title: "Build images",
    consumes: ["linted", "tested"],
    produces: ["built"],
    job: "build-push",
    ci: "pipeline",
    // It also generates qa's runtime config, which looks up qa's secrets (describe calls, no value read).
    awsRole: "qa",
  },
  {
    name: "push",
    title: "Push to qa repositories",
    consumes: ["built"],
    produces: ["images.qa"],
    environment: "qa",
    job: "build-push",
    ci: "pipeline",
    awsRole: "qa",
  },
  {
    name: "deploy-qa",
    title: "Deploy qa",
    consumes: ["images.qa"],
    produces: ["deployed.qa"],
    environment: "qa",
    job: "deploy-qa",
    ci: "pipeline",
    awsRole: "qa",
    deploysServices: true,
  },
  {
    // Verification looks at what qa serves (commit and digest), not at a record of a deploy: a
    // CI server may deploy with the plain `ecs deploy` line and still verify here.
    name: "verify-qa",
    title: "Verify qa through the load balancer",
    consumes: ["images.qa"],
    produces: ["verified.qa"],
    environment: "qa",
    job: "deploy-qa",
    ci: "pipeline",
  },
  {
    name: "approve",
    title: "Approve the release to prod",
    consumes: ["verified.qa"],
    produces: ["approved"],
    environment: "prod",
    job: "promote-prod",
    ci: "pipeline",
    approval: true,
  },
  {
    name: "promote",
    title: "Promote the verified digests to prod repositories",
    consumes: ["images.qa", "verified.qa", "approved"],
    produces: ["images.prod"],
    environment: "prod",
    job: "promote-prod",
    ci: "pipeline",
    awsRole: "prod",
  },
  {
    name: "deploy-prod",
    title: "Deploy prod",
    consumes: ["images.prod"],
    produces: ["deployed.prod"],
    environment: "prod",
    job: "promote-prod",
    ci: "pipeline",
    awsRole: "prod",
    deploysServices: true,
  },
  {
    name: "verify-prod",
    title: "Verify prod through the load balancer",
    consumes: ["images.prod"],
    produces: ["verified.prod"],
    environment: "prod",
    job: "promote-prod",
    ci: "pipeline",
  },
];

export function stageDefinition(name: StageName): StageDefinition {
  return STAGES.find((s) => s.name === name)!;
}

export function isStageName(value: string): value is StageName {
  return (STAGE_NAMES as readonly string[]).includes(value);
}
