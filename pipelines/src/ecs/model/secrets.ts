// What must never be printed: secret values. Secrets in a task definition are references
// (`valueFrom`), which are fine to show; plain environment values whose names look secret are not.

const SECRET_NAME =
  /(SECRET|PASSWORD|PASSWD|PASSPHRASE|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE|CREDENTIAL|AUTH|SESSION|DSN|DATABASE_URL|CONNECTION_STRING|SIGNING|SALT|COOKIE)/i;

export const MASK = "****";

export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}

export function maskEnvValue(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return looksSecret(name) ? MASK : value;
}

/**
 * Replaces every known secret value in a text (an AWS error message can echo what was sent).
 * Values shorter than 4 characters are left alone: masking "1" everywhere would garble output.
 */
export class Redactor {
  private readonly values = new Set<string>();

  add(name: string, value: string | undefined): void {
    if (value && value.length >= 4 && looksSecret(name)) this.values.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const value of this.values) out = out.split(value).join(MASK);
    return out;
  }
}
