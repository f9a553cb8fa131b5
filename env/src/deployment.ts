import { z } from "zod";
import type { AppName, EnvironmentName, PlatformSpec } from "./schema.js";

// ECS's own deployment rules (DeploymentConfiguration, CanaryConfiguration, LinearConfiguration,
// DeploymentLifecycleHook), so a spec that validates here is one CreateService accepts.

export const DEPLOYMENT_STRATEGIES = ["ROLLING", "BLUE_GREEN", "CANARY", "LINEAR"] as const;

export const LIFECYCLE_STAGES = [
  "RECONCILE_SERVICE",
  "PRE_SCALE_UP",
  "POST_SCALE_UP",
  "TEST_TRAFFIC_SHIFT",
  "POST_TEST_TRAFFIC_SHIFT",
  "PRODUCTION_TRAFFIC_SHIFT",
  "POST_PRODUCTION_TRAFFIC_SHIFT",
] as const;

/** Every ECS bake time is whole minutes, at most 24 hours. */
const bakeMinutes = z.number().int().min(0).max(1440);

/** ECS takes traffic percentages in steps of 0.1 only. */
function tenthsOfPercent(min: number) {
  return z
    .number()
    .min(min)
    .max(100)
    .refine((v) => Math.abs(v * 10 - Math.round(v * 10)) < 1e-9, { message: "a multiple of 0.1" });
}

const canaryConfiguration = z.strictObject({
  canaryPercent: tenthsOfPercent(0.1),
  canaryBakeTimeInMinutes: bakeMinutes,
});

const linearConfiguration = z.strictObject({
  stepPercent: tenthsOfPercent(3),
  stepBakeTimeInMinutes: bakeMinutes,
});

/**
 * A hook that stops the deployment at its stages until ContinueServiceDeployment (or the timeout's
 * action). Only the local region runs PAUSE hooks; on AWS a hook is a Lambda this spec doesn't define,
 * so infra/aws sends none.
 */
const lifecycleHook = z.strictObject({
  targetType: z.literal("PAUSE"),
  lifecycleStages: z.array(z.enum(LIFECYCLE_STAGES)).min(1),
  timeoutInMinutes: z.number().int().min(1).max(1440).optional(),
  timeoutAction: z.enum(["CONTINUE", "ROLLBACK"]).optional(),
});

export const deploymentSpec = z
  .strictObject({
    strategy: z.enum(DEPLOYMENT_STRATEGIES),
    /** How long blue keeps running after production traffic is on green, ready for an instant rollback. */
    bakeTimeInMinutes: bakeMinutes.optional(),
    canaryConfiguration: canaryConfiguration.optional(),
    linearConfiguration: linearConfiguration.optional(),
    lifecycleHooks: z.array(lifecycleHook).optional(),
  })
  .superRefine((d, ctx) => {
    const onlyFor = (field: keyof typeof d, strategies: readonly string[]) => {
      if (d[field] !== undefined && !strategies.includes(d.strategy)) {
        ctx.addIssue({
          code: "custom",
          path: [field],
          message: `${field} applies to ${strategies.join(" or ")} only, not ${d.strategy}: remove it or change the strategy`,
        });
      }
    };
    onlyFor("bakeTimeInMinutes", ["BLUE_GREEN", "CANARY", "LINEAR"]);
    onlyFor("lifecycleHooks", ["BLUE_GREEN", "CANARY", "LINEAR"]);
    onlyFor("canaryConfiguration", ["CANARY"]);
    onlyFor("linearConfiguration", ["LINEAR"]);
    if (d.strategy === "CANARY" && !d.canaryConfiguration) {
      ctx.addIssue({
        code: "custom",
        path: ["canaryConfiguration"],
        message: "CANARY needs canaryConfiguration",
      });
    }
    if (d.strategy === "LINEAR" && !d.linearConfiguration) {
      ctx.addIssue({
        code: "custom",
        path: ["linearConfiguration"],
        message: "LINEAR needs linearConfiguration",
      });
    }
  });

/** The listener ECS moves test traffic on: a port of its own, reachable from the team's networks only. */
export const testListenerSpec = z.strictObject({
  port: z.number().int().min(1).max(65535),
  allowedCidrs: z.array(z.cidrv4()).min(1, "at least one CIDR: the test listener is never open to everyone"),
});

export type DeploymentStrategy = (typeof DEPLOYMENT_STRATEGIES)[number];
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];
export type DeploymentSpec = z.infer<typeof deploymentSpec>;
export type TestListenerSpec = z.infer<typeof testListenerSpec>;

/** Whether ECS shifts traffic between two target groups (and so needs the advanced load-balancer setup). */
export function shiftsTraffic(deployment: DeploymentSpec): boolean {
  return deployment.strategy !== "ROLLING";
}

/** The service's own deployment, else its environment's. */
export function serviceDeployment(spec: PlatformSpec, app: AppName, env: EnvironmentName): DeploymentSpec {
  const environment = spec.environments[env];
  return environment.services[app].deployment ?? environment.deployment;
}
