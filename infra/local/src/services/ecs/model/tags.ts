import { AwsError } from "../../../contracts.js";
import { type ModelContext, stateOf } from "./context.js";
import type { Tag } from "./types.js";
import { invalid, list, object } from "./validation.js";

// Tags on clusters, task definitions, services and tasks, keyed by resource ARN.

export function parseTags(value: unknown): Tag[] {
  const tags = list(value, "tags").map((t, i) => {
    const o = object(t, `tags[${i}]`);
    if (typeof o.key !== "string" || o.key.length < 1 || o.key.length > 128) {
      throw invalid(`tags[${i}].key must be 1-128 characters.`);
    }
    if (o.value !== undefined && (typeof o.value !== "string" || o.value.length > 256)) {
      throw invalid(`tags[${i}].value must be at most 256 characters.`);
    }
    return { key: o.key, value: (o.value as string | undefined) ?? "" };
  });
  if (tags.length > 50) throw invalid("A resource can have at most 50 tags.");
  return tags;
}

export function setTags(ctx: ModelContext, arn: string, tags: Tag[]): void {
  const current = stateOf(ctx).tags[arn] ?? [];
  for (const tag of tags) {
    const existing = current.find((t) => t.key === tag.key);
    if (existing) existing.value = tag.value;
    else current.push({ ...tag });
  }
  if (current.length > 50) throw invalid("A resource can have at most 50 tags.");
  stateOf(ctx).tags[arn] = current;
}

export function removeTags(ctx: ModelContext, arn: string, keys: string[]): void {
  const current = stateOf(ctx).tags[arn] ?? [];
  stateOf(ctx).tags[arn] = current.filter((t) => !keys.includes(t.key));
}

export function tagsOf(ctx: ModelContext, arn: string): Tag[] {
  return stateOf(ctx).tags[arn] ?? [];
}

/** TagResource and friends accept ARNs of resources that exist; anything else is an error. */
export function checkTaggable(ctx: ModelContext, arn: unknown): string {
  if (typeof arn !== "string" || !arn.startsWith("arn:aws:ecs:")) {
    throw invalid("resourceArn must be an ECS resource ARN.");
  }
  const state = stateOf(ctx);
  const exists =
    Object.values(state.clusters).some((c) => c.clusterArn === arn && c.status === "ACTIVE") ||
    Object.values(state.taskDefinitions).some((t) => t.taskDefinitionArn === arn) ||
    Object.values(state.services).some((s) => s.serviceArn === arn && s.status !== "INACTIVE") ||
    state.tasks[arn] !== undefined;
  if (!exists) throw new AwsError("ResourceNotFoundException", "The specified resource could not be found.");
  return arn;
}
