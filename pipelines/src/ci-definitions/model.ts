import { APP_NAMES, type AppName, type PlatformSpec, serviceName } from "@platform/env";
import {
  CI_JOBS,
  type CiJobId,
  DEPLOY_TIMEOUT_SECONDS,
  type EnvironmentName,
  type INSTALL_COMMANDS,
  STAGES,
  type StageDefinition,
} from "../pipeline/stages.js";

// The CI model: the stage table (pipeline/stages.ts) grouped into the jobs a CI server runs, with
// what each job needs from the runner (install, AWS role, environment, approval, lock) and the
// `npm run pipeline` arguments that run its stages. The GitHub and TeamCity renderers read only this.

/** Where the pipeline state travels from job to job (an artifact of each job). */
export const STATE_FILE = ".pipeline/state.json";

export interface CiJob {
  id: CiJobId;
  title: string;
  timeoutMinutes: number;
  /** The stages `npm run pipeline` runs in this job, in order (install is the runner's set-up step). */
  stages: StageDefinition[];
  /** The job before it; undefined for the first. */
  after?: CiJobId;
  /** The environment whose rules (reviewers, lock) the job runs under. */
  environment?: EnvironmentName;
  /** The AWS role (per environment) the job assumes; undefined = no AWS credentials at all. */
  awsRole?: EnvironmentName;
  /** A person approves before the job starts. */
  approval: boolean;
  /** "full" where tests run (Debian packages, Chromium, ...), "tools" elsewhere. */
  install: keyof typeof INSTALL_COMMANDS;
  /** The tests start their own local region; every later job targets AWS. */
  target: "local" | "aws";
  /** The job that pushed the images, whose digests this job insists on (--expect); undefined before it. */
  digestsFrom?: CiJobId;
}

export interface EcsServiceDeploy {
  app: AppName;
  environment: EnvironmentName;
  service: string;
}

export interface CiModel {
  jobs: CiJob[];
  apps: readonly AppName[];
  cluster: string;
  /** The default AWS region (the spec's); CI settings may override it. */
  region: string;
  stateFile: string;
  deployTimeoutSeconds: number;
}

/** The stage table a model is made of: the pipeline's own, or (in tests) a broken one. */
export interface StageTable {
  stages: readonly StageDefinition[];
  jobs: readonly { id: CiJobId; title: string; timeoutMinutes: number }[];
}

export function ciModel(spec: PlatformSpec, table: StageTable = { stages: STAGES, jobs: CI_JOBS }): CiModel {
  requireJobsInOrder(table);
  const pushJob = table.stages.find((s) => s.name === "push")?.job;
  const pushIndex = table.jobs.findIndex((j) => j.id === pushJob);
  const jobs = table.jobs.map((job, i): CiJob => {
    const stages = table.stages.filter((s) => s.job === job.id && s.ci === "pipeline");
    if (stages.length === 0) throw new Error(`CI job ${job.id} runs no pipeline stage`);
    const environment = single(
      job.id,
      "environment",
      stages.map((s) => s.environment),
    );
    const awsRole = single(
      job.id,
      "AWS role",
      stages.map((s) => s.awsRole),
    );
    return {
      id: job.id,
      title: job.title,
      timeoutMinutes: job.timeoutMinutes,
      stages,
      ...(i > 0 && { after: table.jobs[i - 1]!.id }),
      ...(environment && { environment }),
      ...(awsRole && { awsRole }),
      approval: stages.some((s) => s.approval),
      install: stages.some((s) => s.name === "test") ? "full" : "tools",
      target: stages.every((s) => s.localRegion) ? "local" : "aws",
      ...(pushJob && pushIndex < i && { digestsFrom: pushJob }),
    };
  });
  return {
    jobs,
    apps: APP_NAMES,
    cluster: spec.cluster.name,
    region: spec.region,
    stateFile: STATE_FILE,
    deployTimeoutSeconds: DEPLOY_TIMEOUT_SECONDS,
  };
}

/** A job runs a contiguous run of the table: stages in CI job order, so no job runs a stage before an earlier job's. */
function requireJobsInOrder(table: StageTable): void {
  let last = 0;
  for (const stage of table.stages) {
    const index = table.jobs.findIndex((j) => j.id === stage.job);
    if (index < 0)
      throw new Error(`stage ${stage.name} names CI job ${stage.job}, which CI_JOBS does not list`);
    if (index < last) {
      throw new Error(
        `stage ${stage.name} runs in CI job ${stage.job}, before job ${table.jobs[last]!.id} of an earlier stage`,
      );
    }
    last = index;
  }
}

/** The one value the job's stages agree on (ignoring stages without one); two different values are a table error. */
function single<T>(job: string, what: string, values: (T | undefined)[]): T | undefined {
  const distinct = [...new Set(values.filter((v) => v !== undefined))];
  if (distinct.length > 1) throw new Error(`CI job ${job} mixes ${what}s ${distinct.join(", ")}`);
  return distinct[0];
}

/** `npm run pipeline` arguments for a job's stages (state file, options, approval, expected digests). */
export function pipelineArguments(model: CiModel, job: CiJob, expect?: string): string[] {
  return [
    "--only",
    job.stages.map((s) => s.name).join(","),
    ...job.stages.flatMap((s) => s.ciOptions ?? []),
    "--state",
    model.stateFile,
    // The CI server's own gate (environment reviewers, approval feature) stood before this job.
    ...(job.stages.some((s) => s.approval) ? ["--approve"] : []),
    ...(expect ? ["--expect", expect] : []),
  ];
}

/** The ECS services a deploy stage changes, in deploy order (the API first, as the pipeline does). */
export function serviceDeploys(model: CiModel, stage: StageDefinition): EcsServiceDeploy[] {
  if (!stage.deploysServices || !stage.environment) return [];
  const environment = stage.environment;
  return model.apps.map((app) => ({ app, environment, service: serviceName(app, environment) }));
}
