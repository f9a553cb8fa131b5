import { writeFileSync } from "node:fs";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import type { SecretRef, ServiceSpec } from "./schema.js";

// Replaces the env files the original setup committed to git: the runtime env of a service is
// generated at build/deploy time from the spec, secrets resolved from SSM / Secrets Manager.

export interface SecretResolver {
  resolve(ref: SecretRef): Promise<string>;
}

/** Where a secret lives, for messages and ECS `valueFrom` (never the value). */
export function describeSecretRef(ref: SecretRef): string {
  return "ssm" in ref
    ? `ssm:${ref.ssm}`
    : `secretsmanager:${ref.secretsManager}${ref.jsonKey ? `#${ref.jsonKey}` : ""}`;
}

export class AwsSecretResolver implements SecretResolver {
  constructor(
    private readonly ssm = new SSMClient({}),
    private readonly secretsManager = new SecretsManagerClient({}),
  ) {}

  async resolve(ref: SecretRef): Promise<string> {
    if ("ssm" in ref) {
      const out = await this.ssm.send(new GetParameterCommand({ Name: ref.ssm, WithDecryption: true }));
      const value = out.Parameter?.Value;
      if (value === undefined) throw new Error(`SSM parameter ${ref.ssm} has no value`);
      return value;
    }
    const out = await this.secretsManager.send(new GetSecretValueCommand({ SecretId: ref.secretsManager }));
    const value = out.SecretString;
    if (value === undefined) throw new Error(`secret ${ref.secretsManager} has no string value`);
    if (!ref.jsonKey) return value;
    const parsed = JSON.parse(value) as Record<string, unknown>;
    const field = parsed[ref.jsonKey];
    if (typeof field !== "string")
      throw new Error(`secret ${ref.secretsManager} has no string key ${ref.jsonKey}`);
    return field;
  }
}

export interface RuntimeEnv {
  values: Record<string, string>;
  /** Names whose values came from a secret store: never print their values. */
  secretNames: string[];
}

export async function buildRuntimeEnv(
  service: ServiceSpec,
  resolver: SecretResolver,
  extra: Record<string, string> = {},
): Promise<RuntimeEnv> {
  const values: Record<string, string> = { ...service.environment, ...extra };
  const failures: string[] = [];
  for (const [name, ref] of Object.entries(service.secrets)) {
    try {
      values[name] = await resolver.resolve(ref);
    } catch (error) {
      failures.push(`${name} (${describeSecretRef(ref)}): ${(error as Error).message}`);
    }
  }
  if (failures.length > 0) throw new Error(`could not resolve secrets:\n  ${failures.join("\n  ")}`);
  return { values, secretNames: Object.keys(service.secrets) };
}

/** dotenv format; values quoted so newlines, quotes and `#` survive a round trip. */
export function formatEnvFile(values: Record<string, string>): string {
  return Object.entries(values)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join("\n")
    .concat("\n");
}

/** Written owner-only: the file holds secrets. */
export function writeEnvFile(path: string, env: RuntimeEnv): void {
  writeFileSync(path, formatEnvFile(env.values), { mode: 0o600 });
}

/** What may be shown of an env: names, with secret values masked. */
export function maskedEnv(env: RuntimeEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env.values).map(([name, value]) => [
      name,
      env.secretNames.includes(name) ? "****" : value,
    ]),
  );
}
