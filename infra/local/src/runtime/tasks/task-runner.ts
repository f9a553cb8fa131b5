import { join } from "node:path";
import type {
  ImageRegistry,
  MetricSink,
  ResolvedImage,
  SecretValues,
  TaskCredentials,
} from "../../contracts.js";
import type { ContainerExit, StartedContainer } from "../../services/ecs/model/tasks.js";
import type {
  ContainerDefinition,
  NetworkBinding,
  TaskDefinitionRecord,
  TaskRecord,
} from "../../services/ecs/model/types.js";
import type { LogSink } from "../../services/logs/plugin.js";
import { containerCommand } from "./container-command.js";
import { containerEnvironment } from "./container-env.js";
import { type RunningProcess, startContainerProcess } from "./container-process.js";
import { ImageStore } from "./image-store.js";
import { metadataUri } from "./metadata.js";
import { type PortAllocator, PortInUseError } from "./port-allocator.js";
import { type GroupUsage, groupUsage, isSameProcess, signalGroup } from "./proc.js";
import {
  clusterName,
  cpuUnitsUsed,
  ECS_NAMESPACE,
  type Reservation,
  reservationOf,
  type TaskUsage,
  utilizationData,
} from "./service-utilization.js";

// Runs a task's containers as host processes from unpacked images, ships their output to the logs,
// enforces memory hard limits, publishes its service's CPU and memory utilization, and stops them
// with SIGTERM then SIGKILL after stopTimeout.

/** The task can't start; the message is ECS's stoppedReason (CannotPullContainerError: ...). */
export class StartFailure extends Error {}

export const OOM_REASON = "OutOfMemoryError: Container killed due to memory usage";
export const DEFAULT_STOP_TIMEOUT_SECONDS = 30;
const MEMORY_SAMPLE_MS = 1000;
/** How often AWS/ECS utilization is published: an alarm sees the current minute within this. */
export interface UtilizationCadence {
  intervalMs: number;
  storageResolution: 1 | 60;
}
const STANDARD_UTILIZATION: UtilizationCadence = { intervalMs: 10_000, storageResolution: 60 };
const KEPT_OUTPUT_LINES = 200;

export interface TaskRunnerOptions {
  stateDir: string;
  endpoint: string;
  region: string;
  images: ImageRegistry;
  secrets: SecretValues;
  logs: LogSink;
  /** Host ports for TCP mappings (and UDP ones unless udpPorts is given). */
  ports: PortAllocator;
  /** Host ports for UDP mappings (the media server's RTP ports), when they have a range of their own. */
  udpPorts?: PortAllocator;
  onContainerExit: (taskArn: string, exit: ContainerExit) => void;
  /** Where AWS/ECS CPUUtilization and MemoryUtilization go; none are measured without it. */
  metrics?: MetricSink;
  /**
   * How often they are published and at what resolution: ECS's every minute, standard resolution
   * (here every 10 s), unless the region's scaling alarms have periods under a minute, which see
   * only high-resolution data.
   */
  utilization?: UtilizationCadence;
  /** Task role credentials for the containers of a task definition with a taskRoleArn. */
  credentials?: TaskCredentials;
}

interface RunningContainer {
  name: string;
  process: RunningProcess;
  memoryLimitBytes?: number;
  oomKilled: boolean;
  exited: boolean;
  /** The last CPU reading, for the utilization over the interval since. */
  cpu?: { ticks: number; at: number };
}

interface RunningTask {
  /** The service it belongs to, for AWS/ECS utilization. */
  service?: { cluster: string; name: string; reservation: Reservation };
  containers: RunningContainer[];
  bindings: { port: number; protocol: "tcp" | "udp" }[];
  output: string[];
}

export class TaskRunner {
  private readonly running = new Map<string, RunningTask>();
  private readonly store: ImageStore;
  private readonly memoryTimer: NodeJS.Timeout;
  private lastUtilization = Date.now();
  private readonly cadence: UtilizationCadence;

  constructor(private readonly options: TaskRunnerOptions) {
    this.store = new ImageStore(join(options.stateDir, "images"));
    this.cadence = options.utilization ?? STANDARD_UTILIZATION;
    this.memoryTimer = setInterval(() => this.sample(), MEMORY_SAMPLE_MS);
    this.memoryTimer.unref();
  }

  close(): void {
    clearInterval(this.memoryTimer);
  }

  /** Pulls (resolves and unpacks), prepares and starts every container; throws StartFailure. */
  async start(task: TaskRecord, td: TaskDefinitionRecord): Promise<StartedContainer[]> {
    const images = td.containerDefinitions.map((def) => ({ def, image: this.pull(def) }));
    const secrets = images.map(({ def }) => this.resolveSecrets(def));
    for (const { def } of images) this.prepareLogs(def);
    const roots = await Promise.all(images.map(({ image }) => this.store.rootOf(image))).catch(
      (error: Error) => {
        throw new StartFailure(`CannotPullContainerError: failed to unpack image: ${error.message}`);
      },
    );
    const entry: RunningTask = { ...serviceOf(task, td), containers: [], bindings: [], output: [] };
    this.running.set(task.taskArn, entry);
    const started: StartedContainer[] = [];
    try {
      for (const [i, { def, image }] of images.entries()) {
        const bindings = await this.bindPorts(def, entry);
        const command = containerCommand(def, image.config, roots[i] as string);
        const env = containerEnvironment({
          def,
          config: image.config,
          secrets: secrets[i] ?? {},
          bindings,
          metadataUri: metadataUri(this.options.endpoint, task.taskId, def.name),
          endpoint: this.options.endpoint,
          ...(td.taskRoleArn && this.options.credentials
            ? { credentials: this.options.credentials.forTask(task.taskId) }
            : {}),
          region: this.options.region,
          hostPath: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
        });
        const process_ = await startContainerProcess(command, env, (line) =>
          this.capture(task, def, entry, line),
        ).catch((error: Error) => {
          throw new StartFailure(`CannotStartContainerError: ${error.message}`);
        });
        const container: RunningContainer = {
          name: def.name,
          process: process_,
          ...(def.memory !== undefined ? { memoryLimitBytes: def.memory * 1024 * 1024 } : {}),
          oomKilled: false,
          exited: false,
          // A new process group has used no CPU yet: its first interval counts from here.
          cpu: { ticks: 0, at: Date.now() },
        };
        entry.containers.push(container);
        void process_.exited.then((info) => this.exited(task.taskArn, container, info.exitCode));
        started.push({
          name: def.name,
          imageDigest: image.imageDigest,
          pid: process_.pid,
          ...(process_.startTicks !== undefined ? { pidStartTicks: process_.startTicks } : {}),
          networkBindings: bindings,
        });
      }
    } catch (error) {
      await this.kill(task.taskArn);
      throw error;
    }
    return started;
  }

  /** SIGTERM every container's process group, SIGKILL after its stopTimeout, and wait for them all. */
  async stop(task: TaskRecord, td: TaskDefinitionRecord | undefined): Promise<void> {
    const entry = this.running.get(task.taskArn);
    if (!entry) return;
    await Promise.all(
      entry.containers.map(async (c) => {
        if (c.exited) return;
        const timeout =
          td?.containerDefinitions.find((d) => d.name === c.name)?.stopTimeout ??
          DEFAULT_STOP_TIMEOUT_SECONDS;
        signalGroup(c.process.pid, "SIGTERM");
        const killer = setTimeout(() => signalGroup(c.process.pid, "SIGKILL"), timeout * 1000);
        await c.process.exited;
        clearTimeout(killer);
      }),
    );
    this.release(task.taskArn);
  }

  /** Kills at once (a task that failed halfway through starting). */
  async kill(taskArn: string): Promise<void> {
    const entry = this.running.get(taskArn);
    if (!entry) return;
    for (const c of entry.containers) signalGroup(c.process.pid, "SIGKILL");
    await Promise.all(entry.containers.map((c) => c.process.exited));
    this.release(taskArn);
  }

  /** SIGKILL to every container at once, synchronously: the last thing before a forced exit. */
  killAllNow(): void {
    for (const task of this.running.values()) {
      for (const c of task.containers) if (!c.exited) signalGroup(c.process.pid, "SIGKILL");
    }
  }

  /** A task found in the saved state after a restart: kill what is left of it, if it is still ours. */
  killLeftover(task: TaskRecord): void {
    for (const c of task.containers) {
      if (c.pid !== undefined && isSameProcess(c.pid, c.pidStartTicks)) signalGroup(c.pid, "SIGKILL");
    }
  }

  /** The last lines the task's containers wrote (kept even without awslogs). */
  output(taskArn: string): string[] {
    return this.running.get(taskArn)?.output ?? this.finishedOutput.get(taskArn) ?? [];
  }

  isRunning(taskArn: string): boolean {
    return this.running.has(taskArn);
  }

  private readonly finishedOutput = new Map<string, string[]>();

  private release(taskArn: string): void {
    const entry = this.running.get(taskArn);
    if (!entry) return;
    for (const b of entry.bindings) this.allocatorFor(b.protocol).release(b.port, b.protocol);
    this.running.delete(taskArn);
    this.finishedOutput.set(taskArn, entry.output);
    if (this.finishedOutput.size > 100)
      this.finishedOutput.delete(this.finishedOutput.keys().next().value as string);
  }

  private allocatorFor(protocol: "tcp" | "udp"): PortAllocator {
    return protocol === "udp" ? (this.options.udpPorts ?? this.options.ports) : this.options.ports;
  }

  private pull(def: ContainerDefinition): ResolvedImage {
    const image = this.options.images.resolve(def.image);
    if (!image) {
      throw new StartFailure(
        `CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ${def.image}: not found`,
      );
    }
    return image;
  }

  private resolveSecrets(def: ContainerDefinition): Record<string, string> {
    const values: Record<string, string> = {};
    for (const s of def.secrets) {
      const value = this.options.secrets.resolve(s.valueFrom);
      if (value === undefined) {
        throw new StartFailure(
          `ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secret ${s.name} from ${s.valueFrom}: it does not exist`,
        );
      }
      values[s.name] = value;
    }
    return values;
  }

  private prepareLogs(def: ContainerDefinition): void {
    const log = awslogsOf(def);
    if (!log || this.options.logs.hasGroup(log.group)) return;
    if (!log.createGroup) {
      throw new StartFailure(
        `ResourceInitializationError: failed to validate logger args: The specified log group ${log.group} does not exist.`,
      );
    }
    this.options.logs.createGroup(log.group);
  }

  private async bindPorts(def: ContainerDefinition, entry: RunningTask): Promise<NetworkBinding[]> {
    const hostPorts = await this.allocateHostPorts(def).catch((error: Error) => {
      throw new StartFailure(
        error instanceof PortInUseError
          ? `CannotStartContainerError: ${error.message} (container ${def.name})`
          : `CannotStartContainerError: ${error.message}`,
      );
    });
    return def.portMappings.map((mapping, i) => {
      const hostPort = hostPorts[i]!;
      entry.bindings.push({ port: hostPort, protocol: mapping.protocol });
      return {
        bindIP: "0.0.0.0",
        containerPort: mapping.containerPort,
        hostPort,
        protocol: mapping.protocol,
      };
    });
  }

  /**
   * Host ports in the order of the mappings; a container's dynamic UDP ports come as one block.
   * On failure nothing stays allocated.
   */
  private async allocateHostPorts(def: ContainerDefinition): Promise<number[]> {
    const dynamicUdp = def.portMappings.filter((m) => m.protocol === "udp" && m.hostPort === 0);
    const udpBlock =
      dynamicUdp.length > 1 ? await this.allocatorFor("udp").allocateBlock(dynamicUdp.length, "udp") : [];
    const allocated: { port: number; protocol: "tcp" | "udp" }[] = udpBlock.map((port) => ({
      port,
      protocol: "udp",
    }));
    try {
      const hostPorts: number[] = [];
      for (const mapping of def.portMappings) {
        if (udpBlock.length > 0 && mapping.protocol === "udp" && mapping.hostPort === 0) {
          hostPorts.push(udpBlock.shift()!);
          continue;
        }
        const port = await this.allocatorFor(mapping.protocol).allocate(mapping.hostPort, mapping.protocol);
        allocated.push({ port, protocol: mapping.protocol });
        hostPorts.push(port);
      }
      return hostPorts;
    } catch (error) {
      for (const { port, protocol } of allocated) this.allocatorFor(protocol).release(port, protocol);
      throw error;
    }
  }

  private capture(task: TaskRecord, def: ContainerDefinition, entry: RunningTask, line: string): void {
    entry.output.push(`${def.name}: ${line}`);
    if (entry.output.length > KEPT_OUTPUT_LINES) entry.output.shift();
    const log = awslogsOf(def);
    if (log)
      this.options.logs.write(log.group, log.stream(task.taskId), [{ timestamp: Date.now(), message: line }]);
  }

  private exited(taskArn: string, container: RunningContainer, exitCode: number): void {
    container.exited = true;
    // The container is its whole process group: nothing of it outlives its main process.
    signalGroup(container.process.pid, "SIGKILL");
    const exit: ContainerExit = container.oomKilled
      ? { name: container.name, exitCode: 137, reason: OOM_REASON }
      : { name: container.name, exitCode };
    this.options.onContainerExit(taskArn, exit);
  }

  /** Each second: memory limits; at the utilization interval: CPU and memory utilization. */
  private sample(): void {
    const live = [...this.running.values()].flatMap((t) => t.containers.filter((c) => !c.exited));
    const limited = live.filter((c) => c.memoryLimitBytes !== undefined);
    const now = Date.now();
    const publish =
      this.options.metrics !== undefined && now - this.lastUtilization >= this.cadence.intervalMs;
    const measured = publish ? live : limited;
    if (measured.length === 0) return;
    const usage = groupUsage(new Set(measured.map((c) => c.process.pid)));
    this.enforceMemoryLimits(limited, usage);
    if (publish) this.publishUtilization(usage, now);
  }

  private enforceMemoryLimits(limited: RunningContainer[], usage: Map<number, GroupUsage>): void {
    for (const c of limited) {
      if ((usage.get(c.process.pid)?.rssBytes ?? 0) > (c.memoryLimitBytes as number)) {
        c.oomKilled = true;
        signalGroup(c.process.pid, "SIGKILL");
      }
    }
  }

  private publishUtilization(usage: Map<number, GroupUsage>, now: number): void {
    this.lastUtilization = now;
    const tasks: TaskUsage[] = [];
    for (const task of this.running.values()) {
      if (!task.service) continue;
      let cpu = 0;
      let memory = 0;
      for (const c of task.containers.filter((c) => !c.exited)) {
        const reading = usage.get(c.process.pid);
        if (!reading) continue;
        if (c.cpu) cpu += cpuUnitsUsed(c.cpu.ticks, reading.cpuTicks, now - c.cpu.at);
        c.cpu = { ticks: reading.cpuTicks, at: now };
        memory += reading.rssBytes / (1024 * 1024);
      }
      const { cluster, name, reservation } = task.service;
      tasks.push({ cluster, service: name, reservation, cpuUnitsUsed: cpu, memoryMiBUsed: memory });
    }
    const data = utilizationData(tasks, new Date(now)).map((d) =>
      this.cadence.storageResolution === 1 ? { ...d, StorageResolution: 1 } : d,
    );
    this.options.metrics?.publish(ECS_NAMESPACE, data);
  }
}

/** A service's task is measured for AWS/ECS; a task run on its own (RunTask) is not. */
function serviceOf(task: TaskRecord, td: TaskDefinitionRecord): Pick<RunningTask, "service"> {
  if (!task.serviceName) return {};
  return {
    service: {
      cluster: clusterName(task.clusterArn),
      name: task.serviceName,
      reservation: reservationOf(task, td),
    },
  };
}

/** The awslogs driver's settings: group, and the stream `prefix/container/task-id`. */
export function awslogsOf(def: ContainerDefinition) {
  const config = def.logConfiguration;
  if (config?.logDriver !== "awslogs") return undefined;
  const group = config.options?.["awslogs-group"];
  if (!group) return undefined;
  const prefix = config.options?.["awslogs-stream-prefix"];
  return {
    group,
    createGroup: config.options?.["awslogs-create-group"] === "true",
    stream: (taskId: string) => (prefix ? `${prefix}/${def.name}/${taskId}` : `${def.name}/${taskId}`),
  };
}
