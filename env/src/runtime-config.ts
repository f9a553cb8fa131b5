import { DescribeSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DescribeParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import { serviceName } from "./names.js";
import { describeSecretRef } from "./runtime-env.js";
import type { AppName, EnvironmentName, PlatformSpec, SecretRef } from "./schema.js";

// The runtime configuration a deploy gives a service's task definition: the spec's plain settings,
// and each secret as the reference ECS resolves when a task starts (`secrets[].valueFrom`). The
// generator looks each secret up in its store to prove it is there, and never reads a value: the
// values stay in SSM and Secrets Manager, read only by the task's execution role.

export interface RuntimeConfig {
  /** `api-qa`, ...: the ECS service and task-definition family it is for. */
  service: string;
  environment: Record<string, string>;
  /** Secret name → valueFrom (a parameter or secret ARN). */
  secrets: Record<string, string>;
}

/** Finds where a secret lives; fails when it doesn't exist. Never reads the value. */
export interface SecretLocator {
  locate(ref: SecretRef): Promise<string>;
}

/** ECS reads one JSON key of a Secrets Manager secret with `<arn>:<key>::` (stage and version left empty). */
export function secretsManagerValueFrom(arn: string, jsonKey?: string): string {
  return jsonKey ? `${arn}:${jsonKey}::` : arn;
}

/** Describe calls only (ssm:DescribeParameters, secretsmanager:DescribeSecret): the pipeline's role reads no value. */
export class AwsSecretLocator implements SecretLocator {
  constructor(
    private readonly ssm: SSMClient = new SSMClient({}),
    private readonly secretsManager: SecretsManagerClient = new SecretsManagerClient({}),
  ) {}

  async locate(ref: SecretRef): Promise<string> {
    if ("ssm" in ref) {
      const out = await this.ssm.send(
        new DescribeParametersCommand({
          ParameterFilters: [{ Key: "Name", Option: "Equals", Values: [ref.ssm] }],
        }),
      );
      const found = out.Parameters?.find((p) => p.Name === ref.ssm);
      if (!found) throw new Error("no such SSM parameter");
      return found.ARN ?? ref.ssm;
    }
    const out = await this.secretsManager.send(new DescribeSecretCommand({ SecretId: ref.secretsManager }));
    if (!out.ARN) throw new Error("Secrets Manager answered without an ARN");
    if (out.DeletedDate) throw new Error("the secret is scheduled for deletion");
    return secretsManagerValueFrom(out.ARN, ref.jsonKey);
  }
}

/** Every secret is looked up; one error lists all that are missing, so one run shows what to create. */
export async function runtimeConfig(
  spec: PlatformSpec,
  env: EnvironmentName,
  app: AppName,
  locator: SecretLocator,
): Promise<RuntimeConfig> {
  const service = spec.environments[env].services[app];
  const name = serviceName(app, env);
  const secrets: Record<string, string> = {};
  const failures: string[] = [];
  for (const [secret, ref] of Object.entries(service.secrets)) {
    try {
      secrets[secret] = await locator.locate(ref);
    } catch (error) {
      failures.push(`${secret} (${describeSecretRef(ref)}): ${errorText(error)}`);
    }
  }
  if (failures.length > 0) {
    throw new Error(
      `${name}: the runtime configuration needs secrets that are not there:\n  ${failures.join("\n  ")}`,
    );
  }
  return { service: name, environment: { ...service.environment }, secrets };
}

function errorText(error: unknown): string {
  const e = error as { name?: string; message?: string };
  if (e.name === "ResourceNotFoundException") return "no such secret";
  return e.message ?? String(error);
}
