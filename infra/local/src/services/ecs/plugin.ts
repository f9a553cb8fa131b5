import type { AlarmStates, RegionPlugin, RegionServices } from "../../contracts.js";
import { Scheduler } from "../../runtime/scheduler/scheduler.js";
import { METADATA_PREFIX, metadataHandler } from "../../runtime/tasks/metadata.js";
import { PortAllocator } from "../../runtime/tasks/port-allocator.js";
import { TaskRunner, type UtilizationCadence } from "../../runtime/tasks/task-runner.js";
import type { LogSink } from "../logs/plugin.js";
import type { EcsModel } from "./model/ecs-model.js";
import { ECS_DESIRED_COUNT, EcsScalableServices } from "./scalable-services.js";
import { createEcsService } from "./service.js";

export interface EcsPluginOptions {
  logs: LogSink;
  /** Host ports handed to tasks (the spec's local.taskPorts). */
  taskPorts: { from: number; to: number };
  /** Host ports for UDP mappings (the spec's local.mediaUdpPorts); taskPorts when absent. */
  udpPorts?: { from: number; to: number };
  /**
   * ECS bakes a deployment for as long as its alarms take to show a breach (minutes for 60 s
   * alarms), and a blue/green, canary or linear one for its bakeTimeInMinutes and step bakes; a
   * region on one machine may cap all of them (the spec's local.maxDeploymentBakeSeconds), as it
   * shortens other waits. Undefined: no cap.
   */
  maxDeploymentBakeSeconds?: number;
  /** AWS/ECS utilization's cadence (the task runner's default: standard resolution). */
  utilization?: UtilizationCadence;
  log?: (message: string) => void;
}

/** The alarms as ECS sees them, with their bake time capped. */
function cappedBake(alarms: AlarmStates, maxSeconds: number | undefined): AlarmStates {
  if (maxSeconds === undefined) return alarms;
  return {
    get: (name) => {
      const view = alarms.get(name);
      return view && { ...view, evaluationSeconds: Math.min(view.evaluationSeconds, maxSeconds) };
    },
  };
}

/** ECS as a region plugin: its wire, its model, the task runner and the service scheduler. */
export class EcsPlugin implements RegionPlugin {
  readonly name = "ecs";
  private parts:
    | { model: EcsModel; runner: TaskRunner; scheduler: Scheduler; withdraw: () => void }
    | undefined;

  constructor(private readonly options: EcsPluginOptions) {}

  get model(): EcsModel {
    if (!this.parts) throw new Error("the ECS plugin is not started");
    return this.parts.model;
  }

  get runner(): TaskRunner {
    if (!this.parts) throw new Error("the ECS plugin is not started");
    return this.parts.runner;
  }

  start(services: RegionServices): void {
    const ecs = createEcsService(
      services.durable,
      { region: services.region, accountId: services.accountId },
      services.targetGroups,
      cappedBake(services.alarms, this.options.maxDeploymentBakeSeconds),
      { traffic: services.listenerRules, maxBakeSeconds: this.options.maxDeploymentBakeSeconds },
    );
    const model = ecs.model;
    let scheduler: Scheduler | undefined;
    const runner = new TaskRunner({
      stateDir: services.stateDir,
      endpoint: services.endpoint,
      region: services.region,
      images: services.images,
      secrets: services.secrets,
      logs: this.options.logs,
      ports: new PortAllocator(this.options.taskPorts),
      ...(this.options.udpPorts ? { udpPorts: new PortAllocator(this.options.udpPorts) } : {}),
      onContainerExit: (taskArn, exit) => scheduler?.containerExited(taskArn, exit),
      metrics: services.metrics,
      ...(this.options.utilization ? { utilization: this.options.utilization } : {}),
      credentials: services.taskCredentials,
    });
    scheduler = new Scheduler({
      model,
      runner,
      targetGroups: services.targetGroups,
      ...(this.options.log ? { log: this.options.log } : {}),
    });
    services.registerService(ecs.definition);
    services.registerHttpRoute(
      METADATA_PREFIX,
      metadataHandler({
        task: (taskId) => {
          const task = model.liveTasks().find((t) => t.taskId === taskId);
          if (!task) return undefined;
          const td =
            model.state.taskDefinitions[
              task.taskDefinitionArn.slice(task.taskDefinitionArn.indexOf("task-definition/") + 16)
            ];
          const labels = (name: string) =>
            td?.containerDefinitions.find((c) => c.name === name)?.dockerLabels ?? {};
          return td ? { task, taskDefinition: td, labels } : { task, labels };
        },
      }),
    );
    const scheduled = scheduler;
    const withdraw = services.scalableResources.provide(
      ECS_DESIRED_COUNT,
      new EcsScalableServices(model, ecs.durable, () => scheduled.nudge()),
    );
    this.parts = { model, runner, scheduler, withdraw };
    scheduler.start();
  }

  async stop(): Promise<void> {
    if (!this.parts) return;
    this.parts.withdraw();
    await this.parts.scheduler.stop();
    this.parts.runner.close();
  }
}
