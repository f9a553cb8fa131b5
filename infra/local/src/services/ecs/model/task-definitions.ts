import { AwsError } from "../../../contracts.js";
import { taskDefinitionArn } from "./arns.js";
import { findTaskDefinition, type ModelContext, nowSeconds, stateOf } from "./context.js";
import { setTags } from "./tags.js";
import type { TaskDefinitionInput } from "./task-definition-input.js";
import type { Tag, TaskDefinitionRecord } from "./types.js";
import { invalid } from "./validation.js";

export function registerTaskDefinition(
  ctx: ModelContext,
  input: TaskDefinitionInput,
  tags: Tag[],
): TaskDefinitionRecord {
  const state = stateOf(ctx);
  const revision = (state.familyRevisions[input.family] ?? 0) + 1;
  const record: TaskDefinitionRecord = {
    ...input,
    taskDefinitionArn: taskDefinitionArn(ctx.partition, input.family, revision),
    revision,
    status: "ACTIVE",
    compatibilities: ["EC2"],
    registeredAt: nowSeconds(ctx),
    registeredBy: `arn:aws:iam::${ctx.partition.accountId}:root`,
  };
  state.familyRevisions[input.family] = revision;
  state.taskDefinitions[`${input.family}:${revision}`] = record;
  setTags(ctx, record.taskDefinitionArn, tags);
  return record;
}

export function deregisterTaskDefinition(ctx: ModelContext, ref: string | undefined): TaskDefinitionRecord {
  if (ref === undefined || !ref.includes(":")) {
    throw invalid("taskDefinition must be family:revision or a full task definition ARN.");
  }
  const record = findTaskDefinition(ctx, ref);
  if (record.status !== "ACTIVE") {
    throw new AwsError("ClientException", "The specified task definition is already INACTIVE.");
  }
  record.status = "INACTIVE";
  record.deregisteredAt = nowSeconds(ctx);
  return record;
}

export interface ListTaskDefinitionsFilter {
  familyPrefix?: string;
  status: "ACTIVE" | "INACTIVE" | "DELETE_IN_PROGRESS";
  sort: "ASC" | "DESC";
}

export function listTaskDefinitions(ctx: ModelContext, filter: ListTaskDefinitionsFilter): string[] {
  const records = Object.values(stateOf(ctx).taskDefinitions)
    .filter((td) => td.status === filter.status)
    .filter((td) => filter.familyPrefix === undefined || td.family.startsWith(filter.familyPrefix))
    .sort((a, b) => a.family.localeCompare(b.family) || a.revision - b.revision);
  if (filter.sort === "DESC") records.reverse();
  return records.map((td) => td.taskDefinitionArn);
}

export function listTaskDefinitionFamilies(
  ctx: ModelContext,
  familyPrefix: string | undefined,
  status: "ACTIVE" | "INACTIVE" | "ALL",
): string[] {
  const families = new Map<string, boolean>();
  for (const td of Object.values(stateOf(ctx).taskDefinitions)) {
    families.set(td.family, (families.get(td.family) ?? false) || td.status === "ACTIVE");
  }
  return [...families]
    .filter(([family]) => familyPrefix === undefined || family.startsWith(familyPrefix))
    .filter(([, active]) => status === "ALL" || (status === "ACTIVE") === active)
    .map(([family]) => family)
    .sort();
}
