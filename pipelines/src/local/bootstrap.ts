import {
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
  PutRetentionPolicyCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateRepositoryCommand, DescribeRepositoriesCommand } from "@aws-sdk/client-ecr";
import { CreateClusterCommand } from "@aws-sdk/client-ecs";
import {
  CreateTargetGroupCommand,
  DescribeTargetGroupsCommand,
  ModifyTargetGroupAttributesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { CreateBucketCommand, HeadBucketCommand } from "@aws-sdk/client-s3";
import { CreateSecretCommand, DescribeSecretCommand } from "@aws-sdk/client-secrets-manager";
import { GetParameterCommand, PutParameterCommand } from "@aws-sdk/client-ssm";
import {
  APP_NAMES,
  type AppName,
  alternateTargetGroupName,
  ENVIRONMENT_NAMES,
  type EnvironmentName,
  logGroupName,
  type PlatformSpec,
  type ServiceSpec,
  serviceDeployment,
  serviceName,
  shiftsTraffic,
} from "@platform/env";
import { type Clients, unlessNotFound } from "./clients.js";
import { type ApiKeys, devSecretValue, secretKind } from "./dev-secrets.js";
import { ensureLoadBalancer, type ServiceGroups, type ShiftingRules } from "./load-balancer.js";

// Creates, from the env spec and through the AWS API only, what the platform needs before any
// service runs: cluster, repositories, target groups, the ALB with its listeners and rules, log
// groups and the secrets' development values (the load balancer itself is load-balancer.ts). Every step first looks, so a restart changes nothing.

export const CLUSTER = "platform";

/** The API's bucket in an environment, as the AWS stack gives it one (infra/aws/src/storage.ts). */
export function objectsBucket(env: EnvironmentName): string {
  return `platform-${env}-objects`;
}

export interface Bootstrapped {
  loadBalancerArn: string;
  /** The group each service starts in, by service name (blue, for a traffic-shifting one). */
  targetGroups: Record<string, string>;
  /** The traffic-shifting services' alternate (green) groups, by service name. */
  alternateTargetGroups: Record<string, string>;
  /** The traffic-shifting services' production and test rules, by service name. */
  listenerRules: Record<string, ShiftingRules>;
  /** valueFrom per service and secret name. */
  secretArns: Record<string, Record<string, string>>;
}

export function eachService(): { app: AppName; env: EnvironmentName; name: string }[] {
  return ENVIRONMENT_NAMES.flatMap((env) =>
    APP_NAMES.map((app) => ({ app, env, name: serviceName(app, env) })),
  );
}

export async function bootstrap(
  clients: Clients,
  spec: PlatformSpec,
  stateDir: string,
  apiKeys: ApiKeys,
  say: (line: string) => void,
): Promise<Bootstrapped> {
  await clients.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const targetGroups: Record<string, string> = {};
  const alternateTargetGroups: Record<string, string> = {};
  const groups: Record<string, ServiceGroups> = {};
  const secretArns: Record<string, Record<string, string>> = {};
  for (const { app, env, name } of eachService()) {
    const svc = spec.environments[env].services[app];
    await ensureRepository(clients, name, say);
    const blue = await ensureTargetGroup(clients, name, svc, say);
    targetGroups[name] = blue;
    if (shiftsTraffic(serviceDeployment(spec, app, env))) {
      alternateTargetGroups[name] = await ensureTargetGroup(
        clients,
        alternateTargetGroupName(app, env),
        svc,
        say,
      );
    }
    groups[name] = { blue, green: alternateTargetGroups[name] };
    await ensureLogGroup(clients, logGroupName(app, env), svc.logRetentionDays);
    secretArns[name] = {};
    for (const [secret, ref] of Object.entries(svc.secrets)) {
      const value = () => devSecretValue(secret, env, app, stateDir, apiKeys);
      (secretArns[name] as Record<string, string>)[secret] = await ensureSecret(clients, ref, value, say);
    }
  }
  for (const env of ENVIRONMENT_NAMES) await ensureBucket(clients, objectsBucket(env), say);
  const { loadBalancerArn, listenerRules } = await ensureLoadBalancer(clients, spec, groups, say);
  return { loadBalancerArn, targetGroups, alternateTargetGroups, listenerRules, secretArns };
}

async function ensureBucket(clients: Clients, bucket: string, say: (line: string) => void): Promise<void> {
  const found = await unlessNotFound("NotFound", () =>
    clients.s3.send(new HeadBucketCommand({ Bucket: bucket })),
  );
  if (found) return;
  await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  say(`created bucket ${bucket}`);
}

async function ensureRepository(clients: Clients, name: string, say: (line: string) => void): Promise<void> {
  const found = await unlessNotFound("RepositoryNotFoundException", () =>
    clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] })),
  );
  if (found) return;
  await clients.ecr.send(
    new CreateRepositoryCommand({
      repositoryName: name,
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
    }),
  );
  say(`created ECR repository ${name}`);
}

async function ensureTargetGroup(
  clients: Clients,
  name: string,
  svc: ServiceSpec,
  say: (line: string) => void,
): Promise<string> {
  const found = await unlessNotFound("TargetGroupNotFoundException", () =>
    clients.elb.send(new DescribeTargetGroupsCommand({ Names: [name] })),
  );
  let arn = found?.TargetGroups?.[0]?.TargetGroupArn;
  if (!arn) {
    const created = await clients.elb.send(
      new CreateTargetGroupCommand({
        Name: name,
        Protocol: "HTTP",
        Port: svc.containerPort,
        VpcId: "vpc-local",
        TargetType: "instance",
        HealthCheckProtocol: "HTTP",
        HealthCheckPath: svc.healthCheck.path,
        HealthCheckIntervalSeconds: svc.healthCheck.intervalSeconds,
        HealthCheckTimeoutSeconds: svc.healthCheck.timeoutSeconds,
        HealthyThresholdCount: svc.healthCheck.healthyThreshold,
        UnhealthyThresholdCount: svc.healthCheck.unhealthyThreshold,
        Matcher: { HttpCode: svc.healthCheck.matcher },
      }),
    );
    arn = created.TargetGroups?.[0]?.TargetGroupArn as string;
    say(`created target group ${name}`);
  }
  await clients.elb.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: arn,
      Attributes: [
        { Key: "deregistration_delay.timeout_seconds", Value: String(svc.deregistrationDelaySeconds) },
      ],
    }),
  );
  return arn;
}

async function ensureLogGroup(clients: Clients, name: string, retentionDays: number): Promise<void> {
  const found = await clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
  if (!found.logGroups?.some((g) => g.logGroupName === name)) {
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName: name }));
  }
  await clients.logs.send(
    new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: retentionDays }),
  );
}

/** Creates the secret with a development value when it doesn't exist; returns the task definition's valueFrom. */
async function ensureSecret(
  clients: Clients,
  ref: Parameters<typeof secretKind>[0],
  value: () => string,
  say: (line: string) => void,
): Promise<string> {
  const { kind, name } = secretKind(ref);
  if (kind === "ssm") {
    const found = await unlessNotFound("ParameterNotFound", () =>
      clients.ssm.send(new GetParameterCommand({ Name: name })),
    );
    if (!found) {
      await clients.ssm.send(new PutParameterCommand({ Name: name, Type: "SecureString", Value: value() }));
      say(`created SSM parameter ${name} (development value)`);
    }
    return name;
  }
  const found = await unlessNotFound("ResourceNotFoundException", () =>
    clients.secrets.send(new DescribeSecretCommand({ SecretId: name })),
  );
  if (found) return found.ARN as string;
  const created = await clients.secrets.send(new CreateSecretCommand({ Name: name, SecretString: value() }));
  say(`created secret ${name} (development value)`);
  return created.ARN as string;
}
