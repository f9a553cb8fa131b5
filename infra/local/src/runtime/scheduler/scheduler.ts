import type { TargetGroups, TargetHealthView } from "../../contracts.js";
import { deploymentTargetGroups } from "../../services/ecs/model/deployment-target-groups.js";
import type { EcsModel } from "../../services/ecs/model/ecs-model.js";
import { eventMessages } from "../../services/ecs/model/events.js";
import type { ContainerExit } from "../../services/ecs/model/tasks.js";
import type { TaskDefinitionRecord, TaskRecord, TaskTarget } from "../../services/ecs/model/types.js";
import { StartFailure, type TaskRunner } from "../tasks/task-runner.js";
import { waitForPort } from "./port-ready.js";

// The loop that makes the runtime follow the model: it asks the model's rules what each service
// needs, launches the tasks the model created, and walks stopping tasks through drain, SIGTERM
// and SIGKILL. Everything slow is asynchronous, so the wire is never blocked by it.

export const TICK_MS = 500;
const READY_WAIT_MS = 10_000;
const SHUTDOWN_REASON = "Task stopped because the local region is shutting down";
const RESTART_REASON = "Task stopped because the local region restarted";

export interface SchedulerOptions {
  model: EcsModel;
  runner: TaskRunner;
  targetGroups: TargetGroups;
  log?: (message: string) => void;
}

export class Scheduler {
  private readonly launching = new Map<string, Promise<void>>();
  private readonly stopping = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private running = false;
  private ticking = false;

  constructor(private readonly options: SchedulerOptions) {}

  private get model(): EcsModel {
    return this.options.model;
  }

  start(): void {
    this.reconcileLeftovers();
    this.unsubscribe = this.options.targetGroups.onHealthChange((tg, target) =>
      this.healthChanged(tg, target),
    );
    this.running = true;
    this.schedule(0);
  }

  /** Graceful: no new work, then every task drained and stopped. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled(this.launching.values());
    for (const task of this.model.liveTasks()) {
      this.model.lifecycle.requestStop(task, SHUTDOWN_REASON, "ServiceSchedulerInitiated");
      this.stopTask(task);
    }
    await Promise.allSettled(this.stopping.values());
    this.unsubscribe?.();
  }

  /** The runner reports that a container's process ended. */
  containerExited(taskArn: string, exit: ContainerExit): void {
    const task = this.model.task(taskArn);
    if (!task) return;
    this.model.lifecycle.containerExited(task, exit);
    this.nudge();
  }

  /** Runs a pass now instead of at the next tick. */
  nudge(): void {
    if (this.running) this.schedule(0);
  }

  /** One pass: the model's plans, then launches and stops to match them. */
  tick(): void {
    if (this.ticking) return;
    this.ticking = true;
    try {
      this.model.reconcile();
      for (const task of this.model.liveTasks()) {
        if (task.lastStatus === "PROVISIONING" && task.desiredStatus === "RUNNING") this.launch(task);
        else if (task.desiredStatus === "STOPPED") this.stopTask(task);
      }
      this.model.forgetOldTasks();
    } catch (error) {
      this.log(`scheduler: ${(error as Error).message}`);
    } finally {
      this.ticking = false;
    }
  }

  private schedule(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.tick();
      if (this.running) this.schedule(TICK_MS);
    }, delay);
  }

  private launch(task: TaskRecord): void {
    if (this.launching.has(task.taskArn)) return;
    const done = this.runLaunch(task).finally(() => {
      this.launching.delete(task.taskArn);
      this.nudge();
    });
    this.launching.set(task.taskArn, done);
  }

  private async runLaunch(task: TaskRecord): Promise<void> {
    const td = this.taskDefinition(task);
    this.model.lifecycle.pending(task);
    if (!td) return this.model.lifecycle.failedToStart(task, "TaskDefinition is no longer available");
    let started: Awaited<ReturnType<TaskRunner["start"]>>;
    try {
      started = await this.options.runner.start(task, td);
    } catch (error) {
      const reason =
        error instanceof StartFailure
          ? error.message
          : `CannotStartContainerError: ${(error as Error).message}`;
      return this.model.lifecycle.failedToStart(task, reason);
    }
    this.model.lifecycle.activating(task, started);
    await this.waitUntilListening(task);
    const targets = task.desiredStatus === "RUNNING" ? this.registerTargets(task) : [];
    this.model.lifecycle.running(task, targets);
  }

  /** Up to READY_WAIT_MS for the ports the load balancers use; the container may exit meanwhile. */
  private async waitUntilListening(task: TaskRecord): Promise<void> {
    const ports = this.loadBalancedPorts(task);
    const wanted = () => task.desiredStatus === "RUNNING" && this.running;
    await Promise.all(ports.map((p) => waitForPort(p, READY_WAIT_MS, wanted)));
  }

  private loadBalancedPorts(task: TaskRecord): number[] {
    const service = this.model.serviceOf(task);
    return (service?.loadBalancers ?? []).flatMap((lb) => {
      const container = task.containers.find((c) => c.name === lb.containerName);
      const binding = container?.networkBindings.find((b) => b.containerPort === lb.containerPort);
      return binding ? [binding.hostPort] : [];
    });
  }

  private registerTargets(task: TaskRecord): TaskTarget[] {
    const service = this.model.serviceOf(task);
    if (!service) return [];
    const targets: TaskTarget[] = [];
    // A blue/green deployment's tasks go in the group production traffic is not on.
    const deployment = service.deployments.find((d) => d.id === task.deploymentId);
    const groups = deployment ? deploymentTargetGroups(service, deployment) : [];
    service.loadBalancers.forEach((lb, i) => {
      const container = task.containers.find((c) => c.name === lb.containerName);
      const binding = container?.networkBindings.find((b) => b.containerPort === lb.containerPort);
      const targetGroupArn = groups[i] ?? lb.targetGroupArn;
      if (!binding) return;
      try {
        this.options.targetGroups.register(targetGroupArn, [{ id: this.instanceId, port: binding.hostPort }]);
        targets.push({
          targetGroupArn,
          containerName: lb.containerName,
          containerPort: lb.containerPort,
          hostPort: binding.hostPort,
          state: "initial",
          registered: true,
        });
      } catch (error) {
        this.model.lifecycle.event(
          service,
          `(service ${service.serviceName}) failed to register targets in (target-group ${targetGroupArn}) with (error ${(error as Error).message})`,
        );
      }
    });
    return targets;
  }

  private stopTask(task: TaskRecord): void {
    if (this.stopping.has(task.taskArn) || this.launching.has(task.taskArn)) return;
    const done = this.runStop(task)
      .catch((error) => this.log(`scheduler: stopping ${task.taskId}: ${(error as Error).message}`))
      .finally(() => {
        this.stopping.delete(task.taskArn);
        this.nudge();
      });
    this.stopping.set(task.taskArn, done);
  }

  /** ECS's order: deregister and drain, then SIGTERM, SIGKILL after stopTimeout, then STOPPED. */
  private async runStop(task: TaskRecord): Promise<void> {
    const service = this.model.serviceOf(task);
    const registered = task.targets.filter((t) => t.registered);
    if (registered.length > 0) {
      this.model.lifecycle.deactivating(task);
      if (service) this.model.lifecycle.event(service, eventMessages.beganDraining(service.serviceName, 1));
      await Promise.all(registered.map((t) => this.deregister(task, t)));
    }
    this.model.lifecycle.stopping(task);
    await this.options.runner.stop(task, this.taskDefinition(task));
    this.model.lifecycle.deprovisioning(task);
    this.model.lifecycle.stopped(task);
  }

  private async deregister(task: TaskRecord, target: TaskTarget): Promise<void> {
    try {
      await this.options.targetGroups.deregister(target.targetGroupArn, [
        { id: this.instanceId, port: target.hostPort },
      ]);
    } catch (error) {
      this.log(
        `scheduler: deregistering ${task.taskId} from ${target.targetGroupArn}: ${(error as Error).message}`,
      );
    }
    target.registered = false;
    const service = this.model.serviceOf(task);
    if (service) {
      this.model.lifecycle.event(
        service,
        eventMessages.deregisteredTargets(service.serviceName, 1, target.targetGroupArn),
      );
    }
  }

  private healthChanged(targetGroupArn: string, target: TargetHealthView): void {
    const task = this.model.lifecycle.targetHealth(targetGroupArn, target.port, target.state);
    if (!task) return;
    const service = this.model.serviceOf(task);
    if (service && target.state === "unhealthy") {
      this.model.lifecycle.event(
        service,
        eventMessages.unhealthyTarget(service.serviceName, this.instanceId, target.port, targetGroupArn),
      );
    }
    this.nudge();
  }

  /** Tasks of the saved state were running when the region went away: end them; services replace them. */
  private reconcileLeftovers(): void {
    for (const task of this.model.liveTasks()) {
      this.options.runner.killLeftover(task);
      for (const t of task.targets.filter((x) => x.registered)) {
        this.options.targetGroups
          .deregister(t.targetGroupArn, [{ id: this.instanceId, port: t.hostPort }])
          .catch(() => undefined);
        t.registered = false;
      }
      this.model.lifecycle.requestStop(task, RESTART_REASON, "ServiceSchedulerInitiated");
      this.model.lifecycle.stopped(task);
    }
    this.model.regionRestarted();
  }

  private taskDefinition(task: TaskRecord): TaskDefinitionRecord | undefined {
    const key = task.taskDefinitionArn.slice(task.taskDefinitionArn.indexOf("task-definition/") + 16);
    return this.model.state.taskDefinitions[key];
  }

  private get instanceId(): string {
    return this.model.state.containerInstanceId;
  }

  private log(message: string): void {
    (this.options.log ?? console.error)(message);
  }
}
