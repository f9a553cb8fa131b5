import { hostname } from "node:os";
import { readTaskMetadata as readDocuments, stringOr, taskArnOf, taskIdOf } from "@platform/telemetry";

// Who and where this process is, from the ECS task metadata endpoint (v4) when there is one:
// the image it runs (for /version), the task id (for the worker's identity) and the CPU limit
// (for the worker's concurrency).

export interface TaskMetadata {
  image: string | undefined;
  imageId: string | undefined;
  taskArn: string | undefined;
  /** vCPUs of the task, or of the container when the task has no task-level limit. */
  cpus: number | undefined;
  memoryMiB: number | undefined;
}

const EMPTY: TaskMetadata = {
  image: undefined,
  imageId: undefined,
  taskArn: undefined,
  cpus: undefined,
  memoryMiB: undefined,
};

const numberOr = (value: unknown) => (typeof value === "number" && value > 0 ? value : undefined);

export async function readTaskMetadata(uri: string | undefined): Promise<TaskMetadata> {
  if (!uri) return EMPTY;
  const docs = await readDocuments(uri);
  const { container, task } = docs;
  const taskLimits = (task?.Limits ?? {}) as Record<string, unknown>;
  const containerLimits = (container?.Limits ?? {}) as Record<string, unknown>;
  const containerCpuUnits = numberOr(containerLimits.CPU);
  return {
    image: stringOr(container?.Image),
    imageId: stringOr(container?.ImageID),
    taskArn: taskArnOf(docs),
    cpus: numberOr(taskLimits.CPU) ?? (containerCpuUnits ? containerCpuUnits / 1024 : undefined),
    memoryMiB: numberOr(taskLimits.Memory) ?? numberOr(containerLimits.Memory),
  };
}

export interface Identity {
  id: string;
  taskId: string;
  host: string;
}

export function identityOf(metadata: TaskMetadata, pid = process.pid, host = hostname()): Identity {
  const taskId = taskIdOf(metadata.taskArn, pid, host);
  return { id: `${taskId}-${pid}`, taskId, host };
}

/** One ffmpeg per CPU; at least one. */
export function concurrencyOf(
  override: number | undefined,
  metadata: TaskMetadata,
  hostCpus: number,
): number {
  if (override) return override;
  return Math.max(1, Math.floor(metadata.cpus ?? hostCpus));
}

/**
 * ffmpeg threads per encode. Slots that share a worker's CPUs get a share each, so they don't
 * oversubscribe them (x264 alone starts 1.5 threads per core it sees). One slot is left to ffmpeg
 * (undefined): on ECS a task's CPU units are a floor, not a cap, and an encode on a quiet instance
 * may use what the others leave, unless WORKER_CPUS (`fixed`) pins the worker to that many.
 */
export function encodeThreadsOf(
  cpus: number,
  slots: number,
  hostCpus: number,
  fixed?: number,
): number | undefined {
  if (slots > 1) return Math.max(1, Math.floor(cpus / slots));
  return fixed !== undefined && fixed < hostCpus ? fixed : undefined;
}

/** The image for /version: the task's image from ECS, then IMAGE_URI, then "unknown". */
export function imageOf(metadata: TaskMetadata, imageUri: string | undefined): string {
  if (metadata.image) {
    const pinned = metadata.image.includes("@") || !metadata.imageId?.startsWith("sha256:");
    return pinned ? metadata.image : `${metadata.image}@${metadata.imageId}`;
  }
  return imageUri ?? "unknown";
}
