import type {
  ContainerDefinition,
  KeyValuePair,
  RegisterTaskDefinitionCommandInput,
  Secret,
  Tag,
  TaskDefinition,
} from "@aws-sdk/client-ecs";
import { type ChangeRequest, containersNamed } from "./change-request.js";
import { UsageError } from "./errors.js";
import { formatImageRef, type ImageRef, parseImageRef, pinned, withTag } from "./image-ref.js";
import { sourceImages } from "./revision-tags.js";

/** The image a container should run, before it is pinned: the tag the user means. */
export interface PlannedImage {
  container: string;
  source: ImageRef;
}

export function containerNames(taskDefinition: TaskDefinition): string[] {
  return (taskDefinition.containerDefinitions ?? []).map((c) => c.name ?? "");
}

/** Fails on a container name the task definition does not have, or an image that does not parse. */
export function validateRequest(taskDefinition: TaskDefinition, request: ChangeRequest): void {
  const names = containerNames(taskDefinition);
  for (const container of containersNamed(request)) {
    if (!names.includes(container)) {
      throw new UsageError(
        `container "${container}" does not exist in ${taskDefinition.family}:${taskDefinition.revision} (containers: ${names.join(", ")})`,
      );
    }
  }
  for (const { container, image } of request.images) {
    if (!parseImageRef(image))
      throw new UsageError(`--image ${container}: "${image}" is not an image reference`);
  }
}

/**
 * Which image each container should run. A container's starting point is the tag its current
 * image was pinned from (recorded on the revision), so a redeploy re-resolves that tag; `-t` swaps
 * the tag of every container, `-i` names a container's image outright.
 */
export function planImages(
  taskDefinition: TaskDefinition,
  revisionTags: readonly Tag[] | undefined,
  request: ChangeRequest,
): PlannedImage[] {
  const recorded = sourceImages(revisionTags);
  return (taskDefinition.containerDefinitions ?? []).map((container) => {
    const name = container.name ?? "";
    const explicit = request.images.find((i) => i.container === name)?.image;
    const base = explicit ?? recorded.get(name) ?? container.image ?? "";
    const ref = parseImageRef(base);
    if (!ref) throw new UsageError(`container "${name}" has an image that does not parse: "${base}"`);
    const source = request.tag && !explicit ? withTag(ref, request.tag) : ref;
    return { container: name, source };
  });
}

/** The new container definitions: the request applied, images replaced by their pinned form. */
export function applyChanges(
  taskDefinition: TaskDefinition,
  request: ChangeRequest,
  images: ReadonlyMap<string, string>,
): ContainerDefinition[] {
  return (taskDefinition.containerDefinitions ?? []).map((original) => {
    const name = original.name ?? "";
    const container: ContainerDefinition = { ...original };
    const image = images.get(name);
    if (image) container.image = image;
    container.environment = nextEnvironment(original.environment, name, request);
    container.secrets = nextSecrets(original.secrets, name, request);
    const command = request.commands.find((c) => c.container === name);
    if (command) container.command = command.command;
    const cpu = request.cpu.find((c) => c.container === name);
    if (cpu) container.cpu = cpu.value;
    const memory = request.memory.find((c) => c.container === name);
    if (memory) container.memory = memory.value;
    const reservation = request.memoryReservation.find((c) => c.container === name);
    if (reservation) container.memoryReservation = reservation.value;
    return container;
  });
}

function nextEnvironment(
  current: KeyValuePair[] | undefined,
  container: string,
  request: ChangeRequest,
): KeyValuePair[] {
  const wanted = [
    ...request.envFiles.filter((f) => f.container === container).flatMap((f) => f.vars),
    ...request.env.filter((e) => e.container === container),
  ];
  const merged = new Map<string, string>();
  if (!request.exclusiveEnv) for (const pair of current ?? []) merged.set(pair.name ?? "", pair.value ?? "");
  for (const { name, value } of wanted) merged.set(name, value);
  return [...merged].map(([name, value]) => ({ name, value }));
}

function nextSecrets(current: Secret[] | undefined, container: string, request: ChangeRequest): Secret[] {
  const merged = new Map<string, string>();
  if (!request.exclusiveSecrets) for (const s of current ?? []) merged.set(s.name ?? "", s.valueFrom ?? "");
  for (const s of request.secrets.filter((x) => x.container === container)) merged.set(s.name, s.valueFrom);
  return [...merged].map(([name, valueFrom]) => ({ name, valueFrom }));
}

/** The pinned form of an image: `repo@sha256:...`. */
export function pinnedImage(source: ImageRef, digest: string): string {
  return formatImageRef(pinned(source, digest));
}

/**
 * RegisterTaskDefinition input for a clone of `taskDefinition` with new containers: every field a
 * user can set is carried over; the read-only ones DescribeTaskDefinition adds are not.
 */
export function registerInput(
  taskDefinition: TaskDefinition,
  containerDefinitions: ContainerDefinition[],
  request: Pick<ChangeRequest, "taskRoleArn" | "executionRoleArn">,
  tags: Tag[],
): RegisterTaskDefinitionCommandInput {
  const td = taskDefinition;
  return {
    family: td.family,
    taskRoleArn: request.taskRoleArn ?? td.taskRoleArn,
    executionRoleArn: request.executionRoleArn ?? td.executionRoleArn,
    networkMode: td.networkMode,
    containerDefinitions,
    volumes: td.volumes,
    placementConstraints: td.placementConstraints,
    requiresCompatibilities: td.requiresCompatibilities,
    cpu: td.cpu,
    memory: td.memory,
    pidMode: td.pidMode,
    ipcMode: td.ipcMode,
    proxyConfiguration: td.proxyConfiguration,
    inferenceAccelerators: td.inferenceAccelerators,
    ephemeralStorage: td.ephemeralStorage,
    runtimePlatform: td.runtimePlatform,
    enableFaultInjection: td.enableFaultInjection,
    tags: tags.length > 0 ? tags : undefined,
  };
}
