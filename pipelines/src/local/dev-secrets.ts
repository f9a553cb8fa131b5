import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EnvironmentName, SecretRef } from "@platform/env";

// Development values for the secrets the spec names: generated once, kept under the state folder,
// never printed except the API keys, which `npm start` shows on purpose (they are local-only).

export type ApiKeys = Record<EnvironmentName, string>;

export function loadOrCreateApiKeys(stateDir: string): ApiKeys {
  const file = join(stateDir, "api-keys.json");
  if (existsSync(file)) {
    const keys = JSON.parse(readFileSync(file, "utf8")) as Partial<ApiKeys>;
    if (typeof keys.qa === "string" && typeof keys.prod === "string") return keys as ApiKeys;
  }
  const keys: ApiKeys = { qa: newKey(), prod: newKey() };
  // Owner-only, and renamed into place: a crash leaves no half-written keys behind.
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, file);
  return keys;
}

const newKey = () => randomBytes(24).toString("base64url");

/** The value a secret gets locally, chosen by what it is for. */
export function devSecretValue(
  name: string,
  env: EnvironmentName,
  app: string,
  stateDir: string,
  apiKeys: ApiKeys,
): string {
  if (name === "DATABASE_URL") {
    const dataDir = join(stateDir, "data");
    mkdirSync(dataDir, { recursive: true });
    return `sqlite:${join(dataDir, `${app}-${env}.db`)}`;
  }
  if (name === "API_ADMIN_KEY") return apiKeys[env];
  return randomBytes(18).toString("base64url");
}

export function secretKind(
  ref: SecretRef,
): { kind: "ssm"; name: string } | { kind: "secretsManager"; name: string } {
  return "ssm" in ref ? { kind: "ssm", name: ref.ssm } : { kind: "secretsManager", name: ref.secretsManager };
}
