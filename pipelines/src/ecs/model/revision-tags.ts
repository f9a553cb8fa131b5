import type { Tag } from "@aws-sdk/client-ecs";

// What a deploy records on the revision it registers, so later commands know the history without
// guessing: the revision that was serving before it (the rollback target), and the tag each
// container's pinned image came from.

export const PREVIOUS_TAG = "ecs-deploy:previous";
const SOURCE_IMAGE_PREFIX = "ecs-deploy:image:";

export function sourceImageKey(container: string): string {
  return `${SOURCE_IMAGE_PREFIX}${container}`;
}

export function tagValue(tags: readonly Tag[] | undefined, key: string): string | undefined {
  return tags?.find((tag) => tag.key === key)?.value;
}

export function sourceImages(tags: readonly Tag[] | undefined): Map<string, string> {
  const images = new Map<string, string>();
  for (const tag of tags ?? []) {
    if (tag.key?.startsWith(SOURCE_IMAGE_PREFIX) && tag.value) {
      images.set(tag.key.slice(SOURCE_IMAGE_PREFIX.length), tag.value);
    }
  }
  return images;
}

/** The user's own tags, carried over, and ours, written fresh. */
export function revisionTags(
  userTags: readonly Tag[] | undefined,
  previous: string,
  sources: ReadonlyMap<string, string>,
): Tag[] {
  const kept = (userTags ?? []).filter((tag) => !tag.key?.startsWith("ecs-deploy:"));
  const ours = [...sources].map(([container, image]) => ({ key: sourceImageKey(container), value: image }));
  return [...kept, { key: PREVIOUS_TAG, value: previous }, ...ours];
}

/** `arn:aws:ecs:...:task-definition/api-qa:12` → `api-qa:12`. */
export function familyRevision(taskDefinitionArn: string): string {
  const slash = taskDefinitionArn.lastIndexOf("task-definition/");
  return slash >= 0 ? taskDefinitionArn.slice(slash + "task-definition/".length) : taskDefinitionArn;
}
