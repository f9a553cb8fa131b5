// The ECS task metadata endpoint v4 ($ECS_CONTAINER_METADATA_URI_V4: the container's document,
// and /task: the task's), which ECS, and the local region's task runner, serve to each container.
// Each app reads from it what it needs; both read it through here.

export type MetadataDocument = Record<string, unknown>;

export interface TaskMetadataDocuments {
  container: MetadataDocument | undefined;
  task: MetadataDocument | undefined;
}

const NONE: TaskMetadataDocuments = { container: undefined, task: undefined };

async function getJson(url: string, timeoutMs: number): Promise<MetadataDocument | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return response.ok ? ((await response.json()) as MetadataDocument) : undefined;
  } catch {
    return undefined;
  }
}

/** Both documents; a missing endpoint or one that does not answer gives undefined, never an error. */
export async function readTaskMetadata(
  uri: string | undefined,
  timeoutMs = 2000,
): Promise<TaskMetadataDocuments> {
  if (!uri) return NONE;
  const [container, task] = await Promise.all([getJson(uri, timeoutMs), getJson(`${uri}/task`, timeoutMs)]);
  return { container, task };
}

export const stringOr = (value: unknown) => (typeof value === "string" && value ? value : undefined);

/** The task's ARN: the task document's TaskARN, else the container's task-arn label. */
export function taskArnOf(docs: TaskMetadataDocuments): string | undefined {
  const labels = (docs.container?.Labels ?? {}) as Record<string, unknown>;
  return stringOr(docs.task?.TaskARN) ?? stringOr(labels["com.amazonaws.ecs.task-arn"]);
}
