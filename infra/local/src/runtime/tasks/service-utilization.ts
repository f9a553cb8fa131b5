import type { MetricDatum } from "@aws-sdk/client-cloudwatch";
import type { TaskDefinitionRecord, TaskRecord } from "../../services/ecs/model/types.js";
import { CLOCK_TICKS_PER_SECOND } from "./proc.js";

// AWS/ECS CPUUtilization and MemoryUtilization per ClusterName + ServiceName, as ECS defines them:
// "(Total CPU units used by tasks in service) x 100 / (Total CPU units specified in task definition)
// x (number of tasks in service)", and the same for MiB of memory. What a task reserves is the task
// definition's task-level cpu/memory, or else the sum over its containers (memoryReservation, or
// else the hard limit). Pure: the task runner samples /proc and hands the usage in.

export const ECS_NAMESPACE = "AWS/ECS";
const CPU_UNITS_PER_CORE = 1024;

export interface Reservation {
  cpuUnits: number;
  memoryMiB: number;
}

/** A running task of a service, as one sample sees it. */
export interface TaskUsage {
  cluster: string;
  service: string;
  reservation: Reservation;
  cpuUnitsUsed: number;
  memoryMiBUsed: number;
}

export function reservationOf(task: TaskRecord, td: TaskDefinitionRecord): Reservation {
  const defs = td.containerDefinitions;
  const cpuUnits = task.cpu ? Number(task.cpu) : defs.reduce((n, d) => n + (d.cpu ?? 0), 0);
  const memoryMiB = task.memory
    ? Number(task.memory)
    : defs.reduce((n, d) => n + (d.memoryReservation ?? d.memory ?? 0), 0);
  return { cpuUnits, memoryMiB };
}

/** `arn:aws:ecs:<region>:<account>:cluster/<name>` → `<name>`. */
export function clusterName(clusterArn: string): string {
  return clusterArn.slice(clusterArn.lastIndexOf("/") + 1);
}

/** CPU units (1024 a core) a process group used between two readings of its CPU ticks. */
export function cpuUnitsUsed(ticksBefore: number, ticksNow: number, elapsedMs: number): number {
  if (elapsedMs <= 0) return 0;
  const seconds = Math.max(0, ticksNow - ticksBefore) / CLOCK_TICKS_PER_SECOND;
  return (seconds / (elapsedMs / 1000)) * CPU_UNITS_PER_CORE;
}

/** One datum per service and metric; a service that reserves no CPU (or memory) gets none of it. */
export function utilizationData(usages: TaskUsage[], at: Date): MetricDatum[] {
  const services = new Map<string, TaskUsage[]>();
  for (const usage of usages) {
    const key = `${usage.cluster}/${usage.service}`;
    services.set(key, [...(services.get(key) ?? []), usage]);
  }
  return [...services.values()].flatMap((tasks) => {
    const dimensions = [
      { Name: "ClusterName", Value: tasks[0]!.cluster },
      { Name: "ServiceName", Value: tasks[0]!.service },
    ];
    const datum = (name: string, used: number, reserved: number): MetricDatum[] =>
      reserved > 0
        ? [
            {
              MetricName: name,
              Dimensions: dimensions,
              Timestamp: at,
              Unit: "Percent",
              Value: (used * 100) / reserved,
            },
          ]
        : [];
    const sum = (f: (t: TaskUsage) => number) => tasks.reduce((n, t) => n + f(t), 0);
    return [
      ...datum(
        "CPUUtilization",
        sum((t) => t.cpuUnitsUsed),
        sum((t) => t.reservation.cpuUnits),
      ),
      ...datum(
        "MemoryUtilization",
        sum((t) => t.memoryMiBUsed),
        sum((t) => t.reservation.memoryMiB),
      ),
    ];
  });
}
