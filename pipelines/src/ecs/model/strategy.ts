import type { DeploymentConfiguration, DeploymentLifecycleHook, LoadBalancer } from "@aws-sdk/client-ecs";
import { UsageError } from "./errors.js";

// How a service deploys (deploymentConfiguration.strategy) and what a deploy sends back to ECS when
// it changes the strategy, the bake time or adds its own test hook. Pure: the payloads are built here
// and unit-tested; the AWS layer only sends them.

export const STRATEGIES = ["ROLLING", "BLUE_GREEN", "CANARY", "LINEAR"] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** The stage the tool's own PAUSE hook waits at: green has the test listener, users don't see it yet. */
export const TEST_HOOK_STAGE = "POST_TEST_TRAFFIC_SHIFT";

/** `--strategy`: exactly one of ECS's names. */
export function parseStrategy(value: string): Strategy {
  const upper = value.trim().toUpperCase();
  const found = STRATEGIES.find((s) => s === upper);
  if (!found) throw new UsageError(`--strategy must be one of ${STRATEGIES.join(", ")}, got "${value}"`);
  return found;
}

/** The service's strategy; absent means ROLLING (services created before 2025 have none). */
export function strategyOf(config: DeploymentConfiguration | undefined): Strategy {
  const named = STRATEGIES.find((s) => s === config?.strategy);
  return named ?? "ROLLING";
}

/** BLUE_GREEN, CANARY and LINEAR: ECS starts green beside blue and moves listener weights. */
export function shiftsTraffic(strategy: Strategy): boolean {
  return strategy !== "ROLLING";
}

/**
 * Why a service's load balancers can't take a traffic-shifting strategy, or undefined when they can:
 * ECS needs, per load balancer, an alternate target group, the production listener rule it moves and
 * the role it moves it with.
 */
export function advancedConfigurationProblem(
  strategy: Strategy,
  loadBalancers: readonly LoadBalancer[],
): string | undefined {
  if (!shiftsTraffic(strategy)) return undefined;
  if (loadBalancers.length === 0) {
    return `--strategy ${strategy} needs a load balancer on the service: ECS shifts traffic between two target groups`;
  }
  const missing = loadBalancers.filter((lb) => {
    const a = lb.advancedConfiguration;
    return !a?.alternateTargetGroupArn || !a.productionListenerRule || !a.roleArn;
  });
  if (missing.length === 0) return undefined;
  const groups = missing.map((lb) => lb.targetGroupArn ?? lb.loadBalancerName ?? "?").join(", ");
  return (
    `--strategy ${strategy} needs advancedConfiguration on every load balancer of the service ` +
    `(missing on ${groups}): add alternateTargetGroupArn (a second target group), ` +
    `productionListenerRule (the weighted listener rule ECS moves), roleArn (a role ECS may change ` +
    `that rule with) and optionally testListenerRule, with CreateService/UpdateService loadBalancers`
  );
}

/** ECS bakes in whole minutes: a bake of 1 s is a bake of 1 minute, 0 is none. */
export function bakeMinutes(seconds: number): number {
  return Math.ceil(seconds / 60);
}

/** The PAUSE hook the tool adds for a run with --test-url/--test-command. */
export function testHook(timeoutSeconds: number): DeploymentLifecycleHook {
  return {
    targetType: "PAUSE",
    lifecycleStages: [TEST_HOOK_STAGE],
    // ECS takes the timeout in whole minutes; the hook must outlive the check, not cut it short.
    timeoutConfiguration: {
      timeoutInMinutes: Math.max(1, Math.ceil(timeoutSeconds / 60)),
      action: "ROLLBACK",
    },
  };
}

export interface ConfigurationChange {
  strategy?: Strategy | undefined;
  /** --bake-time in seconds: ECS's bakeTimeInMinutes on a traffic-shifting service. */
  bakeSeconds?: number | undefined;
  /** Add the tool's PAUSE hook at POST_TEST_TRAFFIC_SHIFT (seconds = its timeout). */
  testHookTimeoutSeconds?: number | undefined;
}

/**
 * The whole deploymentConfiguration to send: UpdateService replaces the object, so every field the
 * service has is kept (circuit breaker, alarms, percents, canary/linear steps, its own hooks) and only
 * what was asked for changes. Undefined when nothing would change.
 */
export function changedConfiguration(
  current: DeploymentConfiguration | undefined,
  change: ConfigurationChange,
): DeploymentConfiguration | undefined {
  const strategy = change.strategy ?? strategyOf(current);
  const next: DeploymentConfiguration = structuredClone(current ?? {});
  let changed = false;
  if (change.strategy && change.strategy !== strategyOf(current)) {
    next.strategy = change.strategy;
    dropMembersNotFor(next, change.strategy);
    changed = true;
  }
  if (shiftsTraffic(strategy) && change.bakeSeconds !== undefined) {
    const minutes = bakeMinutes(change.bakeSeconds);
    if (minutes !== current?.bakeTimeInMinutes) {
      next.bakeTimeInMinutes = minutes;
      changed = true;
    }
  }
  if (shiftsTraffic(strategy) && change.testHookTimeoutSeconds !== undefined) {
    next.lifecycleHooks = [...(current?.lifecycleHooks ?? []), testHook(change.testHookTimeoutSeconds)];
    changed = true;
  }
  return changed ? next : undefined;
}

/** The members only some strategies take: ECS refuses them beside any other strategy. */
const MEMBERS_OF: [keyof DeploymentConfiguration, readonly Strategy[]][] = [
  ["bakeTimeInMinutes", ["BLUE_GREEN", "CANARY", "LINEAR"]],
  ["lifecycleHooks", ["BLUE_GREEN", "CANARY", "LINEAR"]],
  ["canaryConfiguration", ["CANARY"]],
  ["linearConfiguration", ["LINEAR"]],
];

/** A switch of strategy leaves behind what the old one had and the new one can't take (BLUE_GREEN's bake on ROLLING). */
function dropMembersNotFor(config: DeploymentConfiguration, strategy: Strategy): void {
  for (const [member, strategies] of MEMBERS_OF) {
    if (!strategies.includes(strategy)) delete config[member];
  }
}

/** After the run: the configuration as sent, with the service's own hooks only (ours removed). */
export function withoutTestHook(
  sent: DeploymentConfiguration,
  original: DeploymentConfiguration | undefined,
): DeploymentConfiguration {
  const restored = structuredClone(sent);
  // An empty list, not an absent one: absent could read as "leave the hooks as they are".
  restored.lifecycleHooks = structuredClone(original?.lifecycleHooks ?? []);
  return restored;
}
