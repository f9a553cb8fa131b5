import {
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
  PutRetentionPolicyCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateRepositoryCommand, DescribeRepositoriesCommand } from "@aws-sdk/client-ecr";
import { CreateClusterCommand } from "@aws-sdk/client-ecs";
import {
  type Action,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ModifyTargetGroupAttributesCommand,
  type RuleCondition,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { CreateSecretCommand, DescribeSecretCommand } from "@aws-sdk/client-secrets-manager";
import { GetParameterCommand, PutParameterCommand } from "@aws-sdk/client-ssm";
import {
  APP_NAMES,
  type AppName,
  defaultEnvironment,
  ENVIRONMENT_NAMES,
  type EnvironmentName,
  logGroupName,
  type PlatformSpec,
  routeRules,
  type ServiceSpec,
  serviceName,
} from "@platform/env";
import { type Clients, errorName } from "./clients.js";
import { type ApiKeys, devSecretValue, secretKind } from "./dev-secrets.js";

// Creates, from the env spec and through the AWS API only, what the platform needs before any
// service runs: cluster, repositories, target groups, the ALB with its listeners and rules, log
// groups and the secrets' development values. Every step first looks, so a restart changes nothing.

export const CLUSTER = "platform";
export const LOAD_BALANCER = "platform";

export interface Bootstrapped {
  loadBalancerArn: string;
  targetGroups: Record<string, string>;
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
  const secretArns: Record<string, Record<string, string>> = {};
  for (const { app, env, name } of eachService()) {
    const svc = spec.environments[env].services[app];
    await ensureRepository(clients, name, say);
    targetGroups[name] = await ensureTargetGroup(clients, name, svc, say);
    await ensureLogGroup(clients, logGroupName(app, env), svc.logRetentionDays);
    secretArns[name] = {};
    for (const [secret, ref] of Object.entries(svc.secrets)) {
      const value = () => devSecretValue(secret, env, app, stateDir, apiKeys);
      (secretArns[name] as Record<string, string>)[secret] = await ensureSecret(clients, ref, value, say);
    }
  }
  const loadBalancerArn = await ensureLoadBalancer(clients, spec, targetGroups, say);
  return { loadBalancerArn, targetGroups, secretArns };
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

/** What `describe` answers, or undefined when AWS answers `notFound`: the thing is not there yet. */
async function unlessNotFound<T>(notFound: string, describe: () => Promise<T>): Promise<T | undefined> {
  try {
    return await describe();
  } catch (error) {
    if (errorName(error) !== notFound) throw error;
    return undefined;
  }
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

async function ensureLoadBalancer(
  clients: Clients,
  spec: PlatformSpec,
  targetGroups: Record<string, string>,
  say: (line: string) => void,
): Promise<string> {
  const found = await unlessNotFound("LoadBalancerNotFoundException", () =>
    clients.elb.send(new DescribeLoadBalancersCommand({ Names: [LOAD_BALANCER] })),
  );
  let lbArn = found?.LoadBalancers?.[0]?.LoadBalancerArn;
  if (!lbArn) {
    const created = await clients.elb.send(
      new CreateLoadBalancerCommand({
        Name: LOAD_BALANCER,
        Subnets: ["subnet-local-a", "subnet-local-b"],
        Type: "application",
      }),
    );
    lbArn = created.LoadBalancers?.[0]?.LoadBalancerArn as string;
    say(`created load balancer ${LOAD_BALANCER}`);
  }
  const fallback = targetGroups[serviceName("api", defaultEnvironment(spec))] as string;
  const existing =
    (await clients.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }))).Listeners ?? [];
  const wanted = [
    { port: spec.local.httpPort, protocol: "HTTP" as const },
    { port: spec.local.httpsPort, protocol: "HTTPS" as const },
  ];
  for (const { port, protocol } of wanted) {
    let listenerArn = existing.find((l) => l.Port === port)?.ListenerArn;
    if (!listenerArn) {
      const created = await clients.elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lbArn,
          Port: port,
          Protocol: protocol,
          DefaultActions: [forward(fallback)],
          ...(protocol === "HTTPS"
            ? {
                Certificates: [
                  { CertificateArn: `arn:aws:acm:${spec.region}:000000000000:certificate/local-self-signed` },
                ],
              }
            : {}),
        }),
      );
      listenerArn = created.Listeners?.[0]?.ListenerArn as string;
      say(`created ${protocol} listener on port ${port}`);
    }
    await ensureRules(clients, spec, listenerArn, targetGroups);
  }
  return lbArn;
}

function forward(targetGroupArn: string): Action {
  return { Type: "forward", TargetGroupArn: targetGroupArn };
}

async function ensureRules(
  clients: Clients,
  spec: PlatformSpec,
  listenerArn: string,
  targetGroups: Record<string, string>,
) {
  const rules = (await clients.elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))).Rules ?? [];
  for (const rule of routeRules(spec, spec.local.domain)) {
    if (rules.some((r) => r.Priority === String(rule.priority))) continue;
    const conditions: RuleCondition[] = [];
    if (rule.hostHeader)
      conditions.push({ Field: "host-header", HostHeaderConfig: { Values: [rule.hostHeader] } });
    if (rule.pathPatterns)
      conditions.push({ Field: "path-pattern", PathPatternConfig: { Values: [...rule.pathPatterns] } });
    await clients.elb.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: rule.priority,
        Conditions: conditions,
        Actions: [forward(targetGroups[serviceName(rule.app, rule.env)] as string)],
      }),
    );
  }
}
