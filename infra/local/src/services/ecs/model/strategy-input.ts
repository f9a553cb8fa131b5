import { AwsError } from "../../../contracts.js";
import type {
  DeploymentConfiguration,
  DeploymentStrategy,
  HookAction,
  LifecycleHook,
  LifecycleStage,
} from "./types.js";
import { invalid } from "./validation.js";

// deploymentConfiguration's strategy members (strategy, bake time, canary and linear steps,
// lifecycle hooks) as typed requests, and the rules ECS applies to them. Every message says what to
// change; nothing is applied unless the whole configuration is valid.

export interface StrategyRequest {
  strategy?: string | undefined;
  bakeTimeInMinutes?: number | undefined;
  canaryConfiguration?:
    | { canaryPercent?: number | undefined; canaryBakeTimeInMinutes?: number | undefined }
    | undefined;
  linearConfiguration?:
    | { stepPercent?: number | undefined; stepBakeTimeInMinutes?: number | undefined }
    | undefined;
  lifecycleHooks?: HookRequest[] | undefined;
}

export interface HookRequest {
  index: number;
  targetType?: string | undefined;
  hookTargetArn?: string | undefined;
  roleArn?: string | undefined;
  lifecycleStages?: string[] | undefined;
  timeoutInMinutes?: number | undefined;
  timeoutAction?: string | undefined;
}

const STRATEGIES: DeploymentStrategy[] = ["ROLLING", "BLUE_GREEN", "CANARY", "LINEAR"];
const SHIFTING: DeploymentStrategy[] = ["BLUE_GREEN", "CANARY", "LINEAR"];
const HOOK_STAGES: LifecycleStage[] = [
  "RECONCILE_SERVICE",
  "PRE_SCALE_UP",
  "POST_SCALE_UP",
  "TEST_TRAFFIC_SHIFT",
  "POST_TEST_TRAFFIC_SHIFT",
  "PRE_PRODUCTION_TRAFFIC_SHIFT",
  "PRODUCTION_TRAFFIC_SHIFT",
  "POST_PRODUCTION_TRAFFIC_SHIFT",
];
/** ECS runs only Lambda hooks at the two shifting stages themselves. */
const LAMBDA_ONLY_STAGES: LifecycleStage[] = ["TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT"];
const MAX_HOOKS = 10;

type StrategyMembers = Pick<
  DeploymentConfiguration,
  "strategy" | "bakeTimeInMinutes" | "canaryConfiguration" | "linearConfiguration" | "lifecycleHooks"
>;

/** Whether ECS moves traffic between two target groups for this strategy. */
export function shiftsTraffic(strategy: DeploymentStrategy | undefined): boolean {
  return strategy !== undefined && SHIFTING.includes(strategy);
}

/**
 * The request's strategy members over the current ones. A member the request leaves out keeps its
 * value while it still applies to the resulting strategy (switching to ROLLING drops a canary
 * configuration); a member the request gives must apply to it.
 */
export function strategyMembersOf(request: StrategyRequest, current: StrategyMembers): StrategyMembers {
  const strategy = strategyOf(request.strategy) ?? current.strategy ?? "ROLLING";
  const given = (member: keyof StrategyRequest) => request[member] !== undefined;
  const keep = <T>(value: T | undefined, applies: boolean) => (applies ? value : undefined);
  refuseMisplaced(request, strategy);

  const shifting = shiftsTraffic(strategy);
  const canary = given("canaryConfiguration")
    ? canaryOf(request.canaryConfiguration ?? {})
    : keep(current.canaryConfiguration, strategy === "CANARY");
  const linear = given("linearConfiguration")
    ? linearOf(request.linearConfiguration ?? {})
    : keep(current.linearConfiguration, strategy === "LINEAR");
  if (strategy === "CANARY" && !canary) {
    throw invalid(
      "strategy CANARY needs deploymentConfiguration.canaryConfiguration with canaryPercent and canaryBakeTimeInMinutes.",
    );
  }
  if (strategy === "LINEAR" && !linear) {
    throw invalid(
      "strategy LINEAR needs deploymentConfiguration.linearConfiguration with stepPercent and stepBakeTimeInMinutes.",
    );
  }
  const hooks = given("lifecycleHooks")
    ? hooksOf(request.lifecycleHooks ?? [])
    : keep(current.lifecycleHooks, shifting);
  const bake = given("bakeTimeInMinutes")
    ? request.bakeTimeInMinutes
    : keep(current.bakeTimeInMinutes, shifting);
  return {
    strategy,
    ...(bake !== undefined ? { bakeTimeInMinutes: bake } : {}),
    ...(canary ? { canaryConfiguration: canary } : {}),
    ...(linear ? { linearConfiguration: linear } : {}),
    ...(hooks && hooks.length > 0 ? { lifecycleHooks: hooks } : {}),
  };
}

function strategyOf(value: string | undefined): DeploymentStrategy | undefined {
  if (value === undefined) return undefined;
  if (!STRATEGIES.includes(value as DeploymentStrategy)) {
    throw invalid(
      `deploymentConfiguration.strategy must be one of ${STRATEGIES.join(", ")}; got ${JSON.stringify(value)}.`,
    );
  }
  return value as DeploymentStrategy;
}

function refuseMisplaced(request: StrategyRequest, strategy: DeploymentStrategy): void {
  const only = (member: keyof StrategyRequest, allowed: DeploymentStrategy[]) => {
    if (request[member] === undefined || allowed.includes(strategy)) return;
    throw invalid(
      `deploymentConfiguration.${member} is only valid with strategy ${allowed.join(", ")}, and the strategy is ${strategy}: remove ${member} or change the strategy.`,
    );
  };
  only("canaryConfiguration", ["CANARY"]);
  only("linearConfiguration", ["LINEAR"]);
  only("bakeTimeInMinutes", SHIFTING);
  if (request.lifecycleHooks && request.lifecycleHooks.length > 0) only("lifecycleHooks", SHIFTING);
}

function canaryOf(c: NonNullable<StrategyRequest["canaryConfiguration"]>) {
  if (c.canaryPercent === undefined || c.canaryBakeTimeInMinutes === undefined) {
    throw invalid(
      "deploymentConfiguration.canaryConfiguration needs canaryPercent and canaryBakeTimeInMinutes.",
    );
  }
  checkTenths(c.canaryPercent, "canaryConfiguration.canaryPercent");
  return { canaryPercent: c.canaryPercent, canaryBakeTimeInMinutes: c.canaryBakeTimeInMinutes };
}

function linearOf(c: NonNullable<StrategyRequest["linearConfiguration"]>) {
  if (c.stepPercent === undefined || c.stepBakeTimeInMinutes === undefined) {
    throw invalid("deploymentConfiguration.linearConfiguration needs stepPercent and stepBakeTimeInMinutes.");
  }
  checkTenths(c.stepPercent, "linearConfiguration.stepPercent");
  return { stepPercent: c.stepPercent, stepBakeTimeInMinutes: c.stepBakeTimeInMinutes };
}

function checkTenths(value: number, what: string): void {
  if (Math.abs(value * 10 - Math.round(value * 10)) > 1e-9) {
    throw invalid(`deploymentConfiguration.${what} must be a multiple of 0.1; got ${value}.`);
  }
}

function hooksOf(requests: HookRequest[]): LifecycleHook[] {
  if (requests.length > MAX_HOOKS) {
    throw invalid(
      `deploymentConfiguration.lifecycleHooks has ${requests.length} hooks; at most ${MAX_HOOKS}.`,
    );
  }
  return requests.map(hookOf);
}

function hookOf(h: HookRequest): LifecycleHook {
  const what = `deploymentConfiguration.lifecycleHooks[${h.index}]`;
  const targetType = h.targetType ?? "AWS_LAMBDA";
  if (targetType === "AWS_LAMBDA") {
    throw new AwsError(
      "UnsupportedFeatureException",
      `${what}: AWS_LAMBDA hooks invoke a Lambda function, which the local region does not run; use targetType PAUSE (and ContinueServiceDeployment) here, or remove the hook.`,
    );
  }
  if (targetType !== "PAUSE")
    throw invalid(`${what}.targetType must be AWS_LAMBDA or PAUSE; got ${targetType}.`);
  if (h.hookTargetArn !== undefined || h.roleArn !== undefined) {
    throw invalid(`${what}: hookTargetArn and roleArn are not used by PAUSE hooks; remove them.`);
  }
  const stages = h.lifecycleStages ?? [];
  if (stages.length === 0) throw invalid(`${what}.lifecycleStages must name at least one stage.`);
  for (const stage of stages) {
    if (!HOOK_STAGES.includes(stage as LifecycleStage)) {
      throw invalid(
        `${what}.lifecycleStages: ${stage} is not a hook stage; use one of ${HOOK_STAGES.join(", ")}.`,
      );
    }
    if (LAMBDA_ONLY_STAGES.includes(stage as LifecycleStage)) {
      throw invalid(
        `${what}: PAUSE hooks cannot be configured at the ${stage} stage (only AWS_LAMBDA hooks run there); pause at ${stage === "TEST_TRAFFIC_SHIFT" ? "POST_TEST_TRAFFIC_SHIFT" : "PRE_PRODUCTION_TRAFFIC_SHIFT or POST_PRODUCTION_TRAFFIC_SHIFT"} instead.`,
      );
    }
  }
  const action = h.timeoutAction as HookAction | undefined;
  if (action !== undefined && action !== "CONTINUE" && action !== "ROLLBACK") {
    throw invalid(`${what}.timeoutConfiguration.action must be CONTINUE or ROLLBACK; got ${action}.`);
  }
  const timeout =
    h.timeoutInMinutes !== undefined || action !== undefined
      ? {
          timeoutConfiguration: {
            ...(h.timeoutInMinutes !== undefined ? { timeoutInMinutes: h.timeoutInMinutes } : {}),
            ...(action !== undefined ? { action } : {}),
          },
        }
      : {};
  return { targetType: "PAUSE", lifecycleStages: [...new Set(stages)] as LifecycleStage[], ...timeout };
}
