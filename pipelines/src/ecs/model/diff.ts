import type { ContainerDefinition, TaskDefinition } from "@aws-sdk/client-ecs";
import { maskEnvValue } from "./secrets.js";

/** One changed value. Values are already masked: a Change is safe to print anywhere. */
export interface Change {
  container?: string;
  field: string;
  before?: string;
  after?: string;
}

/**
 * What differs between the serving revision and the one a deploy would register. Secrets show
 * their `valueFrom` (a parameter name, never its value); environment values whose names look
 * secret are masked.
 */
export function diffTaskDefinitions(
  current: TaskDefinition,
  next: { containerDefinitions?: ContainerDefinition[]; taskRoleArn?: string; executionRoleArn?: string },
): Change[] {
  const changes: Change[] = [];
  pushIfChanged(changes, undefined, "taskRoleArn", current.taskRoleArn, next.taskRoleArn);
  pushIfChanged(changes, undefined, "executionRoleArn", current.executionRoleArn, next.executionRoleArn);
  for (const after of next.containerDefinitions ?? []) {
    const before = current.containerDefinitions?.find((c) => c.name === after.name) ?? {};
    changes.push(...diffContainer(after.name ?? "", before, after));
  }
  return changes;
}

function diffContainer(name: string, before: ContainerDefinition, after: ContainerDefinition): Change[] {
  const changes: Change[] = [];
  pushIfChanged(changes, name, "image", before.image, after.image);
  pushIfChanged(changes, name, "command", json(before.command), json(after.command));
  pushIfChanged(changes, name, "cpu", num(before.cpu), num(after.cpu));
  pushIfChanged(changes, name, "memory", num(before.memory), num(after.memory));
  pushIfChanged(
    changes,
    name,
    "memoryReservation",
    num(before.memoryReservation),
    num(after.memoryReservation),
  );
  const envBefore = pairs(before.environment?.map((e) => [e.name, e.value]));
  const envAfter = pairs(after.environment?.map((e) => [e.name, e.value]));
  for (const key of union(envBefore, envAfter)) {
    const [b, a] = [envBefore.get(key), envAfter.get(key)];
    if (b !== a) changes.push({ container: name, field: `environment.${key}`, ...masked(key, b, a) });
  }
  const secretsBefore = pairs(before.secrets?.map((s) => [s.name, s.valueFrom]));
  const secretsAfter = pairs(after.secrets?.map((s) => [s.name, s.valueFrom]));
  for (const key of union(secretsBefore, secretsAfter)) {
    pushIfChanged(changes, name, `secrets.${key}`, secretsBefore.get(key), secretsAfter.get(key));
  }
  return changes;
}

function masked(name: string, before: string | undefined, after: string | undefined) {
  return { before: maskEnvValue(name, before), after: maskEnvValue(name, after) };
}

function pushIfChanged(
  changes: Change[],
  container: string | undefined,
  field: string,
  before: string | undefined,
  after: string | undefined,
): void {
  if (before !== after) changes.push({ container, field, before, after });
}

function pairs(entries: [string | undefined, string | undefined][] | undefined): Map<string, string> {
  return new Map((entries ?? []).map(([k, v]) => [k ?? "", v ?? ""]));
}

function union(a: Map<string, string>, b: Map<string, string>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].sort();
}

function json(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}

function num(value: number | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}

export function formatChange(change: Change): string {
  const where = change.container ? `${change.container}.${change.field}` : change.field;
  if (change.before === undefined) return `+ ${where}: ${change.after}`;
  if (change.after === undefined) return `- ${where}: ${change.before}`;
  return `~ ${where}: ${change.before} -> ${change.after}`;
}
