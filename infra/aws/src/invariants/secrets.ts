import type { InvariantContext, Violation } from "./context.js";
import type { RecordedResource } from "./resources.js";

// Whatever the program sends to the provider lands in the Pulumi state and in `pulumi preview` diffs, so no
// input may hold a secret: secrets travel as references (ARNs) that ECS resolves when a task starts.

const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_?KEY|API_?KEY|CREDENTIALS?)$/i;
const SECRET_SHAPES: [RegExp, string][] = [
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, "an AWS access key id"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:[^\s@/]+@/i, "a URL with a password in it"],
];

export function checkSecretLeaks(resources: RecordedResource[], ctx: InvariantContext): Violation[] {
  return resources.flatMap((r) =>
    findLeaks(r.inputs, "", ctx.secretValues).map((leak) => `resource ${r.type} ${r.name}: ${leak}`),
  );
}

function findLeaks(value: unknown, path: string, secretValues: string[]): string[] {
  if (typeof value === "string") return stringLeaks(value, path, secretValues);
  if (Array.isArray(value)) return value.flatMap((item, i) => findLeaks(item, `${path}[${i}]`, secretValues));
  if (!value || typeof value !== "object") return [];
  const record = value as Record<string, unknown>;
  const leaks: string[] = [];
  // Container environment entries: {name: "DB_PASSWORD", value: "..."}.
  if (typeof record.name === "string" && typeof record.value === "string" && SECRET_NAME.test(record.name)) {
    const where = path.replace(/\[\d+\]$/, "");
    leaks.push(
      `input ${where} variable ${record.name} holds a value; put secrets in "secrets" as an SSM/Secrets Manager reference`,
    );
  }
  for (const [key, child] of Object.entries(record)) {
    const childPath = path ? `${path}.${key}` : key;
    if (typeof child === "string" && child !== "" && SECRET_NAME.test(key)) {
      leaks.push(`input ${childPath} holds a value; secrets must not be resource inputs`);
    }
    leaks.push(...findLeaks(child, childPath, secretValues));
  }
  return leaks;
}

function stringLeaks(value: string, path: string, secretValues: string[]): string[] {
  const leaks: string[] = [];
  if (secretValues.some((secret) => secret && value.includes(secret))) {
    leaks.push(`input ${path || "(value)"} contains a secret value`);
  }
  for (const [pattern, what] of SECRET_SHAPES) {
    if (pattern.test(value)) leaks.push(`input ${path || "(value)"} contains ${what}`);
  }
  const trimmed = value.trim();
  if ((trimmed.startsWith("{") || trimmed.startsWith("[")) && trimmed.length > 1) {
    try {
      return [...leaks, ...findLeaks(JSON.parse(trimmed), path, [])];
    } catch {
      return leaks;
    }
  }
  return leaks;
}
