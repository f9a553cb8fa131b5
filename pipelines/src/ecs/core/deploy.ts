import type { DeploymentAlarms, Service, Tag, TaskDefinition } from "@aws-sdk/client-ecs";
import { deploymentView } from "../aws/snapshot.js";
import type { AlarmEvidence } from "../model/alarm-watch.js";
import { type ChangeRequest, emptyChangeRequest } from "../model/change-request.js";
import { type Change, diffTaskDefinitions } from "../model/diff.js";
import { UsageError } from "../model/errors.js";
import type { DeployResult } from "../model/result.js";
import { familyRevision, PREVIOUS_TAG, revisionTags } from "../model/revision-tags.js";
import { sameRevision, servingRevisionOf } from "../model/revisions.js";
import { stageIndex, type WaitPoint } from "../model/service-deployment.js";
import {
  advancedConfigurationProblem,
  changedConfiguration,
  type Strategy,
  shiftsTraffic,
  strategyOf,
  TEST_HOOK_STAGE,
} from "../model/strategy.js";
import { applyChanges, planImages, registerInput, validateRequest } from "../model/task-definition.js";
import { type AlarmWatch, alarmThatFailed, bake } from "./bake.js";
import type { Context } from "./context.js";
import { deployShifting } from "./deploy-shifting.js";
import { stoppedTaskCauses } from "./failure-cause.js";
import { pinImages } from "./pin-images.js";
import { pruneRevisions } from "./prune.js";
import { rollBackFailedDeploy } from "./roll-back-failed-deploy.js";
import type { TestCheck } from "./test-check.js";
import { startDeployment, watchDeployment } from "./watch.js";

export interface DeployOptions {
  cluster: string;
  service: string;
  request: ChangeRequest;
  /** --task: deploy this revision as it is instead of a changed clone of the serving one. */
  task?: string;
  /** Seconds to wait for a verdict; -1 = start the deployment and don't wait. */
  timeoutSeconds: number;
  rollback: boolean;
  deregister: boolean;
  keep: number;
  showDiff: boolean;
  /** --rollback-alarm: alarms watched during the bake, beside the service's own deployment alarms. */
  rollbackAlarms: string[];
  /** --bake-time in seconds; undefined = the longest time a breach of the alarms takes to show. One flag for every strategy. */
  bakeSeconds?: number | undefined;
  /** --strategy: deploy (and from now on) with this strategy. */
  strategy?: Strategy | undefined;
  /** --wait-until: return once the service deployment reaches this stage (traffic-shifting services). */
  waitUntil?: WaitPoint | undefined;
  /** --test-url / --test-command (+ --test-base-url): test green at the test listener before production moves. */
  test?: { check: TestCheck; baseUrl?: string | undefined } | undefined;
}

interface Plan {
  /** The revision to deploy when it exists already (--task, or nothing changed). */
  existing?: TaskDefinition;
  register?: Parameters<Context["ecs"]["register"]>[0];
  changes: Change[];
  images: DeployResult["images"];
}

/**
 * A deploy, top to bottom: read what serves, plan the new revision (every image checked and pinned
 * before anything changes), register it only if something changed, point the service at it, follow
 * the deployment ECS created until the rules decide, then prune old revisions or roll back.
 */
export async function deploy(ctx: Context, options: DeployOptions): Promise<DeployResult> {
  const startedAt = ctx.clock.now();
  const { cluster, service } = options;
  const serving = await servingRevision(ctx, cluster, service);
  const strategy = checkStrategyOptions(serving.service, options);
  const plan = options.task
    ? await planGivenRevision(ctx, serving, options.task)
    : await planNewRevision(ctx, serving, options);
  if (options.showDiff) ctx.reporter.changes(`Changes to ${familyRevision(serving.arn)}`, plan.changes);

  const result = (
    partial: Partial<Omit<DeployResult, "command">> & Pick<DeployResult, "outcome" | "exitCode">,
  ): DeployResult => ({
    command: "deploy",
    cluster,
    service,
    previousTaskDefinition: serving.arn,
    stoppedTasks: [],
    images: plan.images,
    changes: plan.changes,
    elapsedSeconds: Math.round((ctx.clock.now().getTime() - startedAt.getTime()) / 1000),
    ...partial,
  });

  const target = await revisionToDeploy(ctx, plan, serving);
  const current = serving.service.deploymentConfiguration;
  const settings = { strategy: options.strategy, bakeSeconds: options.bakeSeconds };
  if (sameRevision(target, serving.arn)) {
    await applySettingsOnly(ctx, cluster, service, changedConfiguration(current, settings));
    return result({ outcome: "unchanged", exitCode: 0, taskDefinition: target });
  }
  const testHookTimeoutSeconds = options.test ? options.timeoutSeconds : undefined;
  const configuration = changedConfiguration(current, { ...settings, testHookTimeoutSeconds });
  if (shiftsTraffic(strategy)) {
    const shifted = await deployShifting(ctx, {
      cluster,
      service,
      strategy,
      before: serving.service,
      servingArn: serving.arn,
      target,
      deployed: async () => plan.existing ?? (await ctx.ecs.taskDefinition(target)).taskDefinition,
      configuration,
      addsTestHook: options.test !== undefined,
      timeoutSeconds: options.timeoutSeconds,
      rollback: options.rollback,
      waitUntil: options.waitUntil,
      test: options.test,
      rollbackAlarms: options.rollbackAlarms,
      bakeSeconds: options.bakeSeconds,
    });
    if (shifted.outcome === "deployed") await pruneAfterDeploy(ctx, options, target, serving.arn);
    return result({ stoppedTasks: [], ...shifted });
  }

  const tracked = await startDeployment(ctx, cluster, service, target, configuration);
  ctx.reporter.info(`Updated ${service}: deployment ${tracked.deploymentId} of ${familyRevision(target)}`);
  if (options.timeoutSeconds < 0) {
    return result({
      outcome: "started",
      exitCode: 0,
      taskDefinition: target,
      deploymentId: tracked.deploymentId,
    });
  }

  const verdict = await watchDeployment(ctx, cluster, service, tracked, options.timeoutSeconds);
  const deployed = plan.existing ?? (await ctx.ecs.taskDefinition(target)).taskDefinition;
  const watch: AlarmWatch = {
    cluster,
    service,
    alarmNames: options.rollbackAlarms,
    deploymentAlarms: serving.deploymentAlarms,
    since: startedAt,
    taskDefinition: deployed,
  };
  const failedDeploy = async (failure: NonNullable<DeployResult["failure"]>, alarm?: AlarmEvidence) => {
    const stoppedTasks = await stoppedTaskCauses(ctx, cluster, service, tracked, deployed);
    const failed = {
      taskDefinition: target,
      deploymentId: tracked.deploymentId,
      failure,
      stoppedTasks,
      ...(alarm ? { alarm } : {}),
    };
    if (!options.rollback) return result({ outcome: "failed", exitCode: 2, ...failed });
    const rollback = await rollBackFailedDeploy(ctx, {
      cluster,
      service,
      tracked,
      reason: failure.reason,
      previous: serving.arn,
      timeoutSeconds: Math.max(options.timeoutSeconds, 60),
    });
    return rollback.completed
      ? result({ outcome: "rolled-back", exitCode: 1, rollback, ...failed })
      : result({ outcome: "rollback-failed", exitCode: 2, rollback, ...failed });
  };

  if (verdict.kind !== "succeeded") {
    ctx.reporter.warn(`deployment ${tracked.deploymentId} failed: ${verdict.explanation}`);
    const alarm = await alarmThatFailed(ctx, watch);
    return failedDeploy({ reason: verdict.reason, explanation: verdict.explanation }, alarm);
  }
  const baked = await bake(ctx, watch, options.bakeSeconds);
  if (baked.kind === "alarm") {
    const explanation = `alarm ${baked.alarm.name} went to ALARM during the bake: ${baked.alarm.stateReason}`;
    ctx.reporter.warn(explanation);
    return failedDeploy({ reason: "alarm", explanation }, baked.alarm);
  }
  await pruneAfterDeploy(ctx, options, target, serving.arn);
  return result({
    outcome: "deployed",
    exitCode: 0,
    taskDefinition: target,
    deploymentId: tracked.deploymentId,
    success: { rule: verdict.rule, explanation: verdict.explanation },
  });
}

interface Serving {
  /** The service as DescribeServices showed it when the deploy began. */
  service: Service;
  arn: string;
  taskDefinition: TaskDefinition;
  tags: Tag[];
  deploymentAlarms?: DeploymentAlarms | undefined;
}

async function servingRevision(ctx: Context, cluster: string, service: string): Promise<Serving> {
  const found = await ctx.ecs.service(cluster, service);
  if (!found.taskDefinition) throw new UsageError(`service "${service}" has no task definition`);
  const arn = servingRevisionOf(found.taskDefinition, (found.deployments ?? []).map(deploymentView));
  if (!sameRevision(arn, found.taskDefinition)) {
    ctx.reporter.warn(
      `a deployment of ${familyRevision(found.taskDefinition)} is still in progress; ${familyRevision(arn)} serves and is the rollback target`,
    );
  }
  const { taskDefinition, tags } = await ctx.ecs.taskDefinition(arn);
  for (const container of taskDefinition.containerDefinitions ?? []) {
    for (const env of container.environment ?? []) ctx.redactor.add(env.name ?? "", env.value);
  }
  return {
    service: found,
    arn,
    taskDefinition,
    tags,
    deploymentAlarms: found.deploymentConfiguration?.alarms,
  };
}

/** The serving revision with the requested changes, images pinned; validated before anything changes. */
export async function planNewRevision(
  ctx: Context,
  serving: Pick<Serving, "arn" | "taskDefinition" | "tags">,
  options: Pick<DeployOptions, "request">,
): Promise<Plan> {
  const { request } = options;
  for (const env of request.env) ctx.redactor.add(env.name, env.value);
  for (const file of request.envFiles) for (const v of file.vars) ctx.redactor.add(v.name, v.value);
  validateRequest(serving.taskDefinition, request);
  const planned = planImages(serving.taskDefinition, serving.tags, request);
  const pinned = await pinImages(ctx, planned);
  const containers = applyChanges(serving.taskDefinition, request, pinned.byContainer);
  const next = {
    containerDefinitions: containers,
    taskRoleArn: request.taskRoleArn ?? serving.taskDefinition.taskRoleArn,
    executionRoleArn: request.executionRoleArn ?? serving.taskDefinition.executionRoleArn,
  };
  const changes = diffTaskDefinitions(serving.taskDefinition, next);
  if (changes.length === 0) return { existing: serving.taskDefinition, changes, images: pinned.records };
  const tags = revisionTags(serving.tags, familyRevision(serving.arn), pinned.sources);
  return {
    register: registerInput(serving.taskDefinition, containers, request, tags),
    changes,
    images: pinned.records,
  };
}

/** --task: a given revision, deployed as is, after checking its images exist. */
async function planGivenRevision(ctx: Context, serving: Serving, task: string): Promise<Plan> {
  const { taskDefinition, tags } = await ctx.ecs.taskDefinition(task);
  if (taskDefinition.status !== "ACTIVE") {
    throw new UsageError(`${task} is ${taskDefinition.status}, not ACTIVE`);
  }
  for (const container of taskDefinition.containerDefinitions ?? []) {
    for (const env of container.environment ?? []) ctx.redactor.add(env.name ?? "", env.value);
  }
  const pinned = await pinImages(ctx, planImages(taskDefinition, tags, emptyChangeRequest()));
  const changes = diffTaskDefinitions(serving.taskDefinition, taskDefinition);
  return { existing: taskDefinition, changes, images: pinned.records };
}

/** Registers the planned revision, or names the existing one; records what served before it. */
async function revisionToDeploy(ctx: Context, plan: Plan, serving: Serving): Promise<string> {
  if (plan.register) {
    const registered = await ctx.ecs.register(plan.register);
    ctx.reporter.info(
      `Registered ${familyRevision(registered.taskDefinitionArn!)} (previous: ${familyRevision(serving.arn)})`,
    );
    return registered.taskDefinitionArn!;
  }
  const arn = plan.existing?.taskDefinitionArn ?? serving.arn;
  if (!sameRevision(arn, serving.arn)) {
    await ctx.ecs.tag(arn, [{ key: PREVIOUS_TAG, value: familyRevision(serving.arn) }]);
  }
  return arn;
}

/**
 * The strategy this deploy runs with, after checking the options fit it — before anything changes:
 * a traffic-shifting strategy needs advancedConfiguration, the test and --wait-until options need
 * a traffic-shifting service, and the test hook needs someone waiting for it.
 */
function checkStrategyOptions(service: Service, options: DeployOptions): Strategy {
  const strategy = options.strategy ?? strategyOf(service.deploymentConfiguration);
  if (options.strategy) {
    const problem = advancedConfigurationProblem(strategy, service.loadBalancers ?? []);
    if (problem) throw new UsageError(problem);
  }
  const flag = options.test
    ? options.test.check.kind === "url"
      ? "--test-url"
      : "--test-command"
    : undefined;
  if (!shiftsTraffic(strategy) && (flag || options.waitUntil)) {
    throw new UsageError(
      `${flag ?? "--wait-until"} needs a BLUE_GREEN, CANARY or LINEAR service; ${service.serviceName} is ${strategy} (pass --strategy BLUE_GREEN to switch it)`,
    );
  }
  if (flag && options.timeoutSeconds < 0) {
    throw new UsageError(`${flag} runs while the deploy waits: it can't be combined with --timeout -1`);
  }
  const waitsBeforeTest =
    options.waitUntil &&
    options.waitUntil !== "SUCCESSFUL" &&
    stageIndex(options.waitUntil) <= stageIndex(TEST_HOOK_STAGE);
  if (flag && waitsBeforeTest) {
    throw new UsageError(
      `${flag} runs at ${TEST_HOOK_STAGE}: --wait-until ${options.waitUntil} would return before it; wait until a later stage`,
    );
  }
  return strategy;
}

/** Nothing to deploy, but --strategy/--bake-time change the service's settings: ECS starts no deployment for that. */
async function applySettingsOnly(
  ctx: Context,
  cluster: string,
  service: string,
  configuration: ReturnType<typeof changedConfiguration>,
) {
  if (!configuration) return;
  await ctx.ecs.updateDeploymentConfiguration(cluster, service, configuration);
  const bake =
    configuration.bakeTimeInMinutes === undefined ? "" : `, bake ${configuration.bakeTimeInMinutes} min`;
  ctx.reporter.info(`Set ${service}'s deployment strategy ${configuration.strategy ?? "ROLLING"}${bake}`);
}

/** With --deregister, old revisions of the family go; never the one deployed nor the one it replaced. */
async function pruneAfterDeploy(
  ctx: Context,
  options: DeployOptions,
  target: string,
  replaced: string,
): Promise<void> {
  if (!options.deregister) return;
  await pruneRevisions(ctx, {
    cluster: options.cluster,
    service: options.service,
    family: familyOf(target),
    keep: options.keep,
    protect: [target, replaced],
  });
}

function familyOf(taskDefinitionArn: string): string {
  return familyRevision(taskDefinitionArn).replace(/:\d+$/, "");
}
