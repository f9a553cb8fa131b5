import {
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from "@aws-sdk/client-ecs";
import {
  APP_NAMES,
  type EnvironmentName,
  type PlatformSpec,
  type SecretRef,
  serviceName,
} from "@platform/env";
import { runStack } from "@platform/infra-aws/testing/run-stack";
import { regionClients } from "@platform/pipelines/local/clients";
import { ensureService } from "@platform/pipelines/local/deploy-services";
import { mockClient } from "aws-sdk-client-mock";

// The two ways a task definition leaves the spec: the first revision the Pulumi program registers on
// AWS, and what `npm start` sends the local region in RegisterTaskDefinition. Both as plain JSON, by
// family, so a test can hold one against the other.

export type TaskDefinitions = Record<string, Record<string, unknown>>;

const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";

/** The environment stack under Pulumi's mocks: each task definition's inputs, containers parsed. */
export async function pulumiTaskDefinitions(
  env: EnvironmentName,
  spec: PlatformSpec,
): Promise<TaskDefinitions> {
  const run = await runStack(env, spec);
  const definitions = run.resources.filter((r) => r.type === TASK_DEFINITION);
  return Object.fromEntries(
    definitions.map(({ inputs }) => [
      String(inputs.family),
      { ...inputs, containerDefinitions: JSON.parse(String(inputs.containerDefinitions)) },
    ]),
  );
}

/**
 * npm start's deploy step (ensureService) for every service of `env` as on a fresh region, with the
 * ECS API mocked: what it sends in RegisterTaskDefinition, by family.
 */
export async function localTaskDefinitions(
  env: EnvironmentName,
  spec: PlatformSpec,
): Promise<TaskDefinitions> {
  const ecs = mockClient(ECSClient);
  try {
    ecs.on(DescribeServicesCommand).resolves({ services: [] });
    ecs.on(RegisterTaskDefinitionCommand).callsFake((input: RegisterTaskDefinitionCommandInput) => ({
      taskDefinition: { taskDefinitionArn: `${LOCAL_ACCOUNT_ARN}:task-definition/${input.family}:1` },
    }));
    ecs.on(CreateServiceCommand).resolves({});
    const clients = regionClients("http://127.0.0.1:4566", spec.region, LOCAL_KEY);
    for (const app of APP_NAMES) {
      const name = serviceName(app, env);
      const secrets = localSecretArns(spec.environments[env].services[app].secrets, spec.region);
      const image = `000000000000.dkr.ecr.${spec.region}.localhost:4566/${name}:0123456789ab`;
      const targetGroupArn = `arn:aws:elasticloadbalancing:${spec.region}:000000000000:targetgroup/${name}/1`;
      await ensureService(clients, spec, { app, env, name, image, targetGroupArn, secrets }, () => {});
    }
    const sent = ecs.commandCalls(RegisterTaskDefinitionCommand).map((call) => call.args[0].input);
    return Object.fromEntries(sent.map((input) => [String(input.family), JSON.parse(JSON.stringify(input))]));
  } finally {
    ecs.restore();
  }
}

const LOCAL_ACCOUNT_ARN = "arn:aws:ecs:eu-west-1:000000000000";
const LOCAL_KEY = { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" };

/** What npm start's bootstrap hands ensureService: the parameter's name, or the local secret's ARN. */
function localSecretArns(secrets: Record<string, SecretRef>, region: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(secrets).map(([name, ref]) => [
      name,
      "ssm" in ref
        ? ref.ssm
        : `arn:aws:secretsmanager:${region}:000000000000:secret:${ref.secretsManager}-Ab12Cd`,
    ]),
  );
}

/**
 * A task definition as `path → value`: named list entries (containers, variables, secrets, ulimits)
 * by name, so `containerDefinitions.api.environment.ENVIRONMENT` is `"qa"`; other lists by index.
 */
export function flatten(
  value: unknown,
  path = "",
  into: Record<string, unknown> = {},
): Record<string, unknown> {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) flattenEntry(item, path, i, into);
  } else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) flatten(item, join(path, key), into);
  } else {
    into[path] = value;
  }
  return into;
}

function flattenEntry(item: unknown, path: string, index: number, into: Record<string, unknown>): void {
  const { name, ...rest } = (item ?? {}) as Record<string, unknown>;
  if (typeof name !== "string") {
    flatten(item, join(path, String(index)), into);
    return;
  }
  const [only, ...more] = Object.keys(rest);
  // `{ name, value }` is a variable, `{ name, valueFrom }` a secret: the name is the path, the value the value.
  if (more.length === 0 && (only === "value" || only === "valueFrom")) into[join(path, name)] = rest[only];
  else flatten(rest, join(path, name), into);
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** The paths whose values differ between two flattened definitions (present on one side only included). */
export function differingPaths(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const paths = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...paths].filter((p) => JSON.stringify(a[p]) !== JSON.stringify(b[p])).sort();
}
