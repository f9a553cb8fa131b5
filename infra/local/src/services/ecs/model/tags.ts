import { AwsError } from "../../../contracts.js";
import { type ModelContext, stateOf } from "./context.js";
import type { Tag } from "./types.js";
import { invalid } from "./validation.js";

// Tags on clusters, task definitions, services and tasks, keyed by resource ARN.

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
export function checkTaggable(ctx: ModelContext, arn: string | undefined): string {
  if (arn === undefined || !arn.startsWith("arn:aws:ecs:")) {
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
