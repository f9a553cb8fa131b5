import type { AppName, SecretRef } from "@platform/env";

/**
 * The spec's secrets a service gets on AWS. This stack owns the API's database, and the API reads its
 * RDS-managed secret itself (DATABASE_SECRET_ARN), so a rotation needs no redeploy. The spec's
 * DATABASE_URL is what the local bootstrap fills in (SQLite); passed here too it would be a second,
 * hand-kept copy of the password (the API refuses both at once), so it is left out and no role is
 * granted its parameter.
 */
export function secretsOnAws(app: AppName, secrets: Record<string, SecretRef>): Record<string, SecretRef> {
  if (app !== "api") return secrets;
  const { DATABASE_URL: _localOnly, ...rest } = secrets;
  return rest;
}
