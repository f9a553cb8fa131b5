import type { Durable, JsonServiceDefinition, ScalableResources } from "../../contracts.js";
import type { CloudWatchModel } from "../cloudwatch/model.js";
import type { DurableStates, LocalService } from "../local-service.js";
import { type AlarmSettings, AWS_ALARM_SETTINGS } from "./alarms.js";
import { AutoScalingModel, type AutoScalingState, emptyAutoScalingState } from "./model.js";
import { autoScalingOperations } from "./responses.js";

/**
 * Application Auto Scaling on its durable state, over awsJson1_1 (`AnyScaleFrontendService`). Its
 * policies' alarms are the region's CloudWatch alarms, committed with CloudWatch's state.
 */
export function createApplicationAutoScalingService(
  states: DurableStates,
  cloudwatch: { model: CloudWatchModel; durable: Durable<unknown> },
  resources: ScalableResources,
  alarmSettings: AlarmSettings = AWS_ALARM_SETTINGS,
  now: () => number = Date.now,
): LocalService<AutoScalingModel, AutoScalingState, JsonServiceDefinition> {
  const durable = states("application-autoscaling", emptyAutoScalingState);
  const model = new AutoScalingModel(durable.state, cloudwatch.model, alarmSettings, now);
  return {
    model,
    durable,
    definition: {
      protocol: "awsJson1_1",
      signingName: "application-autoscaling",
      targetPrefix: "AnyScaleFrontendService",
      operations: autoScalingOperations(model, durable, cloudwatch.durable, resources),
    },
  };
}
