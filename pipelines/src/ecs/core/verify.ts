import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import type { ContainerDefinition, Service, TaskDefinition } from "@aws-sdk/client-ecs";
import { DescribeTargetGroupsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetRoleCommand } from "@aws-sdk/client-iam";
import { DescribeSecretCommand } from "@aws-sdk/client-secrets-manager";
import { DescribeParametersCommand } from "@aws-sdk/client-ssm";
import { lookUpImage } from "../aws/ecr.js";
import { emptyChangeRequest } from "../model/change-request.js";
import { formatImageRef } from "../model/image-ref.js";
import { planImages } from "../model/task-definition.js";
import { type Check, portMappingChecks, secretsManagerId, ssmParameterName } from "../model/verify-checks.js";
import type { Context } from "./context.js";

/**
 * `ecs verify`: everything a deploy of the serving revision needs, checked before anything
 * changes: images in ECR, IAM roles, log groups, target group ↔ container port, secret parameters.
 * A check whose API can't be reached is "skipped" with the reason, not failed.
 */
export async function verifyService(ctx: Context, cluster: string, serviceName: string): Promise<Check[]> {
  const service = await ctx.ecs.service(cluster, serviceName);
  const { taskDefinition, tags } = await ctx.ecs.taskDefinition(service.taskDefinition ?? "");
  const containers = taskDefinition.containerDefinitions ?? [];
  const groups = await Promise.all([
    imageChecks(ctx, taskDefinition, tags),
    roleChecks(ctx, taskDefinition),
    logGroupChecks(ctx, containers),
    targetGroupChecks(ctx, service, taskDefinition),
    secretChecks(ctx, containers),
  ]);
  return groups.flat();
}

async function imageChecks(
  ctx: Context,
  td: TaskDefinition,
  tags: Parameters<typeof planImages>[1],
): Promise<Check[]> {
  return Promise.all(
    planImages(td, tags, emptyChangeRequest()).map(async ({ container, source }): Promise<Check> => {
      const subject = `${container}: ${formatImageRef(source)}`;
      const found = await lookUpImage(ctx.clients, source).catch((e: Error) => e);
      if (found instanceof Error) return { kind: "image", subject, status: "skipped", detail: found.message };
      if (found.kind === "found") return { kind: "image", subject, status: "ok", detail: found.digest };
      if (found.kind === "missing")
        return { kind: "image", subject, status: "failed", detail: found.message };
      return { kind: "image", subject, status: "skipped", detail: "not an ECR image" };
    }),
  );
}

async function roleChecks(ctx: Context, td: TaskDefinition): Promise<Check[]> {
  const roles = [
    ["execution role", td.executionRoleArn],
    ["task role", td.taskRoleArn],
  ].filter((r): r is [string, string] => Boolean(r[1]));
  return Promise.all(
    roles.map(async ([what, arn]): Promise<Check> => {
      const subject = `${what} ${arn}`;
      const roleName = arn.slice(arn.lastIndexOf("/") + 1);
      try {
        await ctx.clients.iam.send(new GetRoleCommand({ RoleName: roleName }));
        return { kind: "role", subject, status: "ok", detail: "exists" };
      } catch (error) {
        return absentOrSkipped("role", subject, error, ["NoSuchEntity", "NoSuchEntityException"]);
      }
    }),
  );
}

async function logGroupChecks(ctx: Context, containers: ContainerDefinition[]): Promise<Check[]> {
  const groups = new Set(
    containers
      .filter((c) => c.logConfiguration?.logDriver === "awslogs")
      .map((c) => c.logConfiguration?.options?.["awslogs-group"])
      .filter((g): g is string => Boolean(g)),
  );
  return Promise.all(
    [...groups].map(async (group): Promise<Check> => {
      try {
        const answer = await ctx.clients.logs.send(
          new DescribeLogGroupsCommand({ logGroupNamePrefix: group }),
        );
        const exists = answer.logGroups?.some((g) => g.logGroupName === group);
        return exists
          ? { kind: "log-group", subject: group, status: "ok", detail: "exists" }
          : { kind: "log-group", subject: group, status: "failed", detail: "log group does not exist" };
      } catch (error) {
        return absentOrSkipped("log-group", group, error, []);
      }
    }),
  );
}

async function targetGroupChecks(ctx: Context, service: Service, td: TaskDefinition): Promise<Check[]> {
  const loadBalancers = service.loadBalancers ?? [];
  const ports = portMappingChecks(td, loadBalancers);
  const arns = loadBalancers.map((lb) => lb.targetGroupArn).filter((a): a is string => Boolean(a));
  const exist = await Promise.all(
    arns.map(async (arn): Promise<Check> => {
      try {
        await ctx.clients.elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }));
        return { kind: "target-group", subject: arn, status: "ok", detail: "exists" };
      } catch (error) {
        return absentOrSkipped("target-group", arn, error, [
          "TargetGroupNotFoundException",
          "TargetGroupNotFound",
        ]);
      }
    }),
  );
  return [...exist, ...ports];
}

async function secretChecks(ctx: Context, containers: ContainerDefinition[]): Promise<Check[]> {
  const refs = containers.flatMap((c) => (c.secrets ?? []).map((s) => ({ container: c.name, ...s })));
  return Promise.all(
    refs.map(async ({ container, name, valueFrom }): Promise<Check> => {
      const subject = `${container}.${name} <- ${valueFrom}`;
      const secretId = secretsManagerId(valueFrom ?? "");
      try {
        if (secretId) {
          await ctx.clients.secretsManager.send(new DescribeSecretCommand({ SecretId: secretId }));
          return { kind: "secret", subject, status: "ok", detail: "secret exists" };
        }
        const parameter = ssmParameterName(valueFrom ?? "");
        const answer = await ctx.clients.ssm.send(
          new DescribeParametersCommand({
            ParameterFilters: [{ Key: "Name", Option: "Equals", Values: [parameter] }],
          }),
        );
        return answer.Parameters?.some((p) => p.Name === parameter)
          ? { kind: "secret", subject, status: "ok", detail: "parameter exists" }
          : {
              kind: "secret",
              subject,
              status: "failed",
              detail: `SSM parameter ${parameter} does not exist`,
            };
      } catch (error) {
        return absentOrSkipped("secret", subject, error, ["ResourceNotFoundException", "ParameterNotFound"]);
      }
    }),
  );
}

function absentOrSkipped(kind: Check["kind"], subject: string, error: unknown, absent: string[]): Check {
  const e = error as Error;
  if (absent.includes(e.name))
    return { kind, subject, status: "failed", detail: `does not exist (${e.name})` };
  return {
    kind,
    subject,
    status: "skipped",
    detail: `could not check: ${e.name}: ${e.message.split("\n")[0]}`,
  };
}
