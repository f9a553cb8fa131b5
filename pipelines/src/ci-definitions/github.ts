import type {
  NormalJob as Job,
  Step,
  HttpsJsonSchemastoreOrgGithubWorkflowJson as Workflow,
} from "@schemastore/github-workflow";
import { Document } from "yaml";
import { INSTALL_COMMANDS } from "../pipeline/stages.js";
import type { GeneratedFile } from "./generated-file.js";
import { type CiJob, type CiModel, pipelineArguments } from "./model.js";

// The GitHub Actions workflows, rendered from the CI model: deploy.yml runs every job on pushes
// to main; ci.yml runs the test job on pull requests. Typed against SchemaStore's workflow types,
// validated against its JSON schema in the tests.

/**
 * GitHub's current Ubuntu LTS: the test job's OS is its container, and the tool jobs need only the
 * Node that setup-node installs from .node-version.
 */
const RUNNER = "ubuntu-latest";
/** Debian 12 with Node 24 LTS, as root: the machine the tests are written for (setup.sh installs the rest). */
const TEST_CONTAINER = "node:24-bookworm";
const ACTIONS = {
  checkout: "actions/checkout@v4",
  setupNode: "actions/setup-node@v4",
  upload: "actions/upload-artifact@v4",
  download: "actions/download-artifact@v4",
  awsCredentials: "aws-actions/configure-aws-credentials@v4",
} as const;

export const GITHUB_REGION_VARIABLE = "AWS_REGION";

/** A GitHub expression, `${{ ... }}`, evaluated by the runner. */
function expression(text: string): string {
  return `\${{ ${text} }}`;
}

/** The repository variable holding an environment's deploy role (an IAM role trusting GitHub's OIDC provider). */
export function roleVariable(environment: string): string {
  return `AWS_DEPLOY_ROLE_ARN_${environment.toUpperCase()}`;
}

export function githubWorkflows(model: CiModel, generatedBy: string): GeneratedFile[] {
  return [
    { path: ".github/workflows/deploy.yml", text: render(deployWorkflow(model), deployHeader(generatedBy)) },
    { path: ".github/workflows/ci.yml", text: render(pullRequestWorkflow(model), ciHeader(generatedBy)) },
  ];
}

export function deployWorkflow(model: CiModel): Workflow {
  return {
    name: "Deploy",
    on: { push: { branches: ["main"] }, workflow_dispatch: {} },
    permissions: { contents: "read", "id-token": "write" },
    env: { AWS_REGION: expression(`vars.${GITHUB_REGION_VARIABLE} || '${model.region}'`) },
    jobs: Object.fromEntries(model.jobs.map((job) => [job.id, deployJob(model, job)])),
  };
}

/** Pull requests: the test job alone, read-only, a newer push cancelling the older run. */
export function pullRequestWorkflow(model: CiModel): Workflow {
  const test = model.jobs.find((j) => j.target === "local" && !j.after);
  if (!test) throw new Error("the CI model has no first job that runs against the local region");
  const { permissions: _, ...job } = deployJob(model, test);
  return {
    name: "CI",
    on: { pull_request: {}, workflow_dispatch: {} },
    permissions: { contents: "read" },
    concurrency: {
      group: `ci-${expression("github.event.pull_request.number || github.ref")}`,
      "cancel-in-progress": true,
    },
    jobs: { [test.id]: job },
  };
}

function deployJob(model: CiModel, job: CiJob): Job {
  const needs = [...new Set([job.digestsFrom, job.after].filter((n) => n !== undefined))];
  const expect = job.digestsFrom ? expectedDigests(model) : undefined;
  return {
    name: job.title,
    ...(needs.length > 0 && { needs: needs.length === 1 ? needs[0]! : nonEmpty(needs) }),
    "runs-on": RUNNER,
    ...(job.install === "full" && { container: TEST_CONTAINER }),
    // The prod environment's required reviewers approve here, before the job starts.
    ...(job.environment && { environment: job.environment }),
    ...(job.environment && {
      concurrency: { group: concurrencyGroup(job), "cancel-in-progress": false },
    }),
    // Only jobs that assume a role get an OIDC token.
    ...(!job.awsRole && { permissions: { contents: "read" } }),
    ...(job.target === "aws" && { env: { PLATFORM_TARGET: "aws" } }),
    "timeout-minutes": job.timeoutMinutes,
    ...(hasPushStage(job) && {
      outputs: Object.fromEntries(
        model.apps.map((app) => [`${app}-digest`, expression(`steps.pipeline.outputs.${app}-digest`)]),
      ),
    }),
    steps: nonEmpty([
      { uses: ACTIONS.checkout },
      ...(job.install === "tools"
        ? [{ uses: ACTIONS.setupNode, with: { "node-version-file": ".node-version", cache: "npm" } }]
        : []),
      { name: "Install", run: INSTALL_COMMANDS[job.install].join(" && ") },
      ...(job.after
        ? [{ uses: ACTIONS.download, with: { name: stateArtifact(job.after), path: ".pipeline" } }]
        : []),
      ...(job.awsRole
        ? [
            {
              uses: ACTIONS.awsCredentials,
              with: {
                "role-to-assume": expression(`vars.${roleVariable(job.awsRole)}`),
                "aws-region": expression("env.AWS_REGION"),
              },
            },
          ]
        : []),
      pipelineStep(model, job, expect),
      ...(job.install === "full" ? [reportsUpload()] : []),
      {
        uses: ACTIONS.upload,
        with: { name: stateArtifact(job.id), path: model.stateFile, "include-hidden-files": true },
      },
    ]),
  };
}

function nonEmpty<T>(items: T[]): [T, ...T[]] {
  if (items.length === 0) throw new Error("a job needs at least one step");
  return items as [T, ...T[]];
}

function pipelineStep(model: CiModel, job: CiJob, expect: Expectation | undefined): Step {
  const args = pipelineArguments(model, job, expect?.argument).map(shellWord);
  return {
    name: `Stages ${job.stages.map((s) => s.name).join(", ")}`,
    ...(hasPushStage(job) && { id: "pipeline" }),
    run: ["npm run pipeline --", ...args].join(" "),
    ...(expect && { env: expect.env }),
  };
}

/** Coverage (HTML, lcov) and JUnit XML of the test stage, kept even when the tests failed. */
function reportsUpload(): Step {
  return {
    if: "always()",
    uses: ACTIONS.upload,
    with: { name: "coverage-and-test-reports", path: "coverage/\nreports/", "if-no-files-found": "warn" },
  };
}

interface Expectation {
  argument: string;
  env: Record<string, string>;
}

/** The digests the push job recorded, handed in through the environment (never spliced into the script). */
function expectedDigests(model: CiModel): Expectation {
  const pushJob = model.jobs.find(hasPushStage)!;
  const variable = (app: string) => `EXPECTED_${app.toUpperCase().replaceAll("-", "_")}_DIGEST`;
  return {
    argument: model.apps.map((app) => `${app}=$${variable(app)}`).join(","),
    env: Object.fromEntries(
      model.apps.map((app) => [variable(app), expression(`needs.${pushJob.id}.outputs.${app}-digest`)]),
    ),
  };
}

function hasPushStage(job: CiJob): boolean {
  return job.stages.some((s) => s.name === "push");
}

/** One deploy of an environment at a time; pushes to the qa repositories get a lock of their own. */
function concurrencyGroup(job: CiJob): string {
  const deploys = job.stages.some((s) => s.deploysServices);
  return `${deploys ? "deploy" : "push"}-${job.environment}`;
}

function stateArtifact(job: string): string {
  return `state-${job}`;
}

/** Words with a `$` or a space are double-quoted, so the shell expands the variable but never splits it. */
function shellWord(word: string): string {
  if (/^"[^"]*"$/.test(word) || /^[\w@%+=:,./-]+$/.test(word)) return word;
  return `"${word.replaceAll(/["\\`]/g, (c) => `\\${c}`)}"`;
}

function render(workflow: Workflow, header: string): string {
  const doc = new Document(workflow);
  doc.commentBefore = header;
  return doc.toString({ lineWidth: 0 });
}

function deployHeader(generatedBy: string): string {
  return [
    ` Generated by ${generatedBy}: do not edit.`,
    " Every push to main runs the pipeline's stages, job by job, through the same `npm run pipeline` a",
    " developer runs locally; the pipeline state file (image tags and digests) travels from job to job",
    " as an artifact, and the digests as job outputs (checked again with --expect), so prod gets the",
    " digest qa verified.",
    "",
    " Set up once (repository settings, nothing secret in this file):",
    `   - variables ${roleVariable("qa")} / ${roleVariable("prod")}: IAM roles trusting GitHub's OIDC`,
    "     provider for this repository and environment (the prod role also reads the qa repositories:",
    `     promotion copies from them); ${GITHUB_REGION_VARIABLE} (default: the spec's region)`,
    "   - environments `qa` and `prod`; `prod` with required reviewers, so promotion waits for an approval",
  ].join("\n");
}

function ciHeader(generatedBy: string): string {
  return [
    ` Generated by ${generatedBy}: do not edit.`,
    " Pull requests: the pipeline's test job (install, lint, test with coverage) on the machine the",
    " tests are written for (Debian 12 with Node 24 LTS, as root, so scripts/setup.sh can install the",
    " Debian packages it needs), with a read-only token.",
  ].join("\n");
}
