import { type Summary, summarize } from "../src/model/stats.js";
import type { PlannedJob } from "./plan.js";

// Fleet and scheduling policies compared on the same planned load, by discrete-event simulation.
// The service time of each job comes from a measured run (calibrate), so the comparison is of
// policies, not of guesses about ffmpeg. Pure.

export type Scheduling = "fifo" | "priority" | "sjf";

export type FleetPolicy =
  | { kind: "fixed"; tasks: number }
  | {
      kind: "target-tracking";
      /** Backlog per task the policy holds (queued jobs / running tasks). */
      target: number;
      min: number;
      max: number;
      /** AWS: the high alarm needs 3 one-minute datapoints, the low one 15. */
      periodSeconds: number;
      highDatapoints: number;
      lowDatapoints: number;
      scaleOutCooldownSeconds: number;
      scaleInCooldownSeconds: number;
      /** From desired count up to a task taking work (placement, image, boot, health). */
      startupSeconds: number;
    };

/**
 * Target tracking as AWS runs it for an ECS service: 1-minute periods, 3 datapoints above the target
 * to scale out and 15 below to scale in, the spec's cooldowns (60 s out, 300 s in), and the time a
 * new task takes to be placed and pass its health checks.
 */
export function awsTargetTracking(
  target: number,
  min: number,
  max: number,
  startupSeconds = 45,
): FleetPolicy {
  return {
    kind: "target-tracking",
    target,
    min,
    max,
    periodSeconds: 60,
    highDatapoints: 3,
    lowDatapoints: 15,
    scaleOutCooldownSeconds: 60,
    scaleInCooldownSeconds: 300,
    startupSeconds,
  };
}

export interface SimulationInput {
  jobs: readonly PlannedJob[];
  /** Seconds a job holds a worker slot (measured: assigned → completed). */
  serviceSeconds: (job: PlannedJob) => number;
  /** What the scheduler believes a job costs (sjf): the measured mean of its kind. */
  expectedSeconds: (job: PlannedJob) => number;
  /** Jobs of this preset are submitted at a higher priority (the "priority" policy's paying tier). */
  prioritySpeed: string;
  scheduling: Scheduling;
  fleet: FleetPolicy;
  slotsPerTask: number;
}

export interface SimulatedJob {
  index: number;
  speed: string;
  queueSeconds: number;
  totalSeconds: number;
}

export interface SimulationResult {
  jobs: SimulatedJob[];
  queueSeconds: Summary;
  totalSeconds: Summary;
  /** Per class of preset: is the fast job stuck behind the slow one? */
  queueSecondsBySpeed: Record<string, Summary>;
  /** Busy slots / provisioned slots in 10 s windows while tasks ran. */
  utilization: Summary;
  taskSeconds: number;
  maxTasks: number;
}

interface Task {
  readyAt: number;
  busy: number;
}

export function simulate(input: SimulationInput): SimulationResult {
  const order = [...input.jobs].sort((a, b) => a.atSeconds - b.atSeconds);
  const queue: PlannedJob[] = [];
  const running: { job: PlannedJob; task: Task; endsAt: number }[] = [];
  const done: SimulatedJob[] = [];
  const initial = input.fleet.kind === "fixed" ? input.fleet.tasks : input.fleet.min;
  let tasks: Task[] = Array.from({ length: initial }, () => ({ readyAt: 0, busy: 0 }));
  const windows: number[] = [];
  let taskSeconds = 0;
  let maxTasks = tasks.length;
  const scaler = input.fleet.kind === "target-tracking" ? new TargetTracking(input.fleet) : undefined;
  let next = 0;
  const step = 1; // one-second ticks: fine against service times of seconds to minutes
  let windowBusy = 0;
  let windowSlots = 0;
  for (let t = 0; done.length < order.length; t += step) {
    while (next < order.length && order[next]!.atSeconds <= t) queue.push(order[next++]!);
    for (let i = running.length - 1; i >= 0; i--) {
      const r = running[i]!;
      if (r.endsAt > t) continue;
      r.task.busy--;
      done.push({
        index: r.job.index,
        speed: r.job.speed,
        queueSeconds: r.endsAt - input.serviceSeconds(r.job) - r.job.atSeconds,
        totalSeconds: r.endsAt - r.job.atSeconds,
      });
      running.splice(i, 1);
    }
    for (const task of tasks) {
      while (task.readyAt <= t && task.busy < input.slotsPerTask && queue.length > 0) {
        const job = takeNext(queue, input);
        task.busy++;
        running.push({ job, task, endsAt: t + input.serviceSeconds(job) });
      }
    }
    if (scaler) tasks = scaler.tick(t, tasks, queue.length);
    maxTasks = Math.max(maxTasks, tasks.length);
    taskSeconds += tasks.length * step;
    windowBusy += tasks.reduce((n, task) => n + task.busy, 0);
    windowSlots += tasks.filter((task) => task.readyAt <= t).length * input.slotsPerTask;
    if (t % 10 === 9) {
      if (windowSlots > 0) windows.push((100 * windowBusy) / windowSlots);
      windowBusy = 0;
      windowSlots = 0;
    }
    if (t > 1e6) throw new Error("the simulation did not finish: the fleet can never serve this load");
  }
  const speeds = [...new Set(done.map((j) => j.speed))];
  return {
    jobs: done.sort((a, b) => a.index - b.index),
    queueSeconds: summarize(done.map((j) => j.queueSeconds)),
    totalSeconds: summarize(done.map((j) => j.totalSeconds)),
    queueSecondsBySpeed: Object.fromEntries(
      speeds.map((s) => [s, summarize(done.filter((j) => j.speed === s).map((j) => j.queueSeconds))]),
    ),
    utilization: summarize(windows),
    taskSeconds,
    maxTasks,
  };
}

function takeNext(queue: PlannedJob[], input: SimulationInput): PlannedJob {
  let best = 0;
  const key = (job: PlannedJob): number[] => {
    switch (input.scheduling) {
      case "fifo":
        return [job.atSeconds];
      case "priority":
        return [job.speed === input.prioritySpeed ? 0 : 1, job.atSeconds];
      case "sjf":
        return [input.expectedSeconds(job), job.atSeconds];
    }
  };
  for (let i = 1; i < queue.length; i++) if (lexLess(key(queue[i]!), key(queue[best]!))) best = i;
  return queue.splice(best, 1)[0]!;
}

function lexLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/** AWS target tracking on backlog per task: alarms on consecutive periods, proportional steps, cooldowns. */
class TargetTracking {
  private high = 0;
  private low = 0;
  private lastOut = -Infinity;
  private lastIn = -Infinity;

  constructor(private readonly p: Extract<FleetPolicy, { kind: "target-tracking" }>) {}

  tick(t: number, tasks: Task[], queued: number): Task[] {
    if (t % this.p.periodSeconds !== this.p.periodSeconds - 1) return tasks;
    const ready = Math.max(1, tasks.filter((task) => task.readyAt <= t).length);
    const metric = queued / ready;
    this.high = metric > this.p.target ? this.high + 1 : 0;
    // AWS's low alarm sits at 90 % of the target, so the fleet doesn't flap around it.
    this.low = metric < this.p.target * 0.9 ? this.low + 1 : 0;
    if (this.high >= this.p.highDatapoints && t - this.lastOut >= this.p.scaleOutCooldownSeconds) {
      const wanted = Math.min(
        this.p.max,
        Math.max(tasks.length + 1, Math.ceil((tasks.length * metric) / this.p.target)),
      );
      if (wanted > tasks.length) {
        this.lastOut = t;
        return [
          ...tasks,
          ...Array.from({ length: wanted - tasks.length }, () => ({
            readyAt: t + this.p.startupSeconds,
            busy: 0,
          })),
        ];
      }
    }
    if (
      this.low >= this.p.lowDatapoints &&
      t - this.lastIn >= this.p.scaleInCooldownSeconds &&
      t - this.lastOut >= this.p.scaleInCooldownSeconds
    ) {
      const wanted = Math.max(this.p.min, Math.ceil((tasks.length * metric) / this.p.target));
      // Scale-in stops idle tasks only: a busy worker hands its job back on SIGTERM, which costs a redo.
      const idle = tasks.filter((task) => task.busy === 0);
      const remove = Math.min(tasks.length - wanted, idle.length);
      if (remove > 0) {
        this.lastIn = t;
        const gone = new Set(idle.slice(0, remove));
        return tasks.filter((task) => !gone.has(task));
      }
    }
    return tasks;
  }
}
