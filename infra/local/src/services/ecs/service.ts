import type { AlarmStates, JsonServiceDefinition, ListenerRules, TargetGroups } from "../../contracts.js";
import type { DurableStates, LocalService } from "../local-service.js";
import { newInstanceId, type Partition } from "./model/arns.js";
import { EcsModel } from "./model/ecs-model.js";
import { type EcsState, emptyEcsState } from "./model/types.js";
import { ecsOperations } from "./responses.js";

/**
 * ECS on its durable state, over awsJson1_1 (`AmazonEC2ContainerServiceV20141113`). What the
 * scheduler reports changes the state outside any request: it is committed as it happens, so after
 * a kill -9 the saved state names every process that was started.
 */
export function createEcsService(
  states: DurableStates,
  partition: Partition,
  targetGroups: TargetGroups,
  alarms?: AlarmStates,
  options: { traffic?: ListenerRules; maxBakeSeconds?: number | undefined } = {},
): LocalService<EcsModel, EcsState, JsonServiceDefinition> {
  const durable = states("ecs", () => emptyEcsState(newInstanceId(), Date.now() / 1000));
  const model = new EcsModel(durable, partition, Date.now, alarms, options);
  model.onRuntimeChange(() => durable.commit());
  return {
    model,
    durable,
    definition: {
      protocol: "awsJson1_1",
      signingName: "ecs",
      targetPrefix: "AmazonEC2ContainerServiceV20141113",
      operations: ecsOperations(model, durable, targetGroups),
    },
  };
}
