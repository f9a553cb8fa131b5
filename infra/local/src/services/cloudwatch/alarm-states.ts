import type { AlarmStates, AlarmStateView } from "../../contracts.js";
import type { CloudWatchModel } from "./model.js";

// CloudWatch's side of the AlarmStates seam: the stored alarms, read only, in the shape ECS needs.

export class LocalAlarmStates implements AlarmStates {
  constructor(private readonly model: CloudWatchModel) {}

  get(alarmName: string): AlarmStateView | undefined {
    const alarm = this.model.state.alarms[alarmName];
    if (!alarm) return undefined;
    return {
      alarmName,
      stateValue: alarm.stateValue as AlarmStateView["stateValue"],
      stateReason: alarm.stateReason,
      stateTransitionedAt: alarm.stateTransitionedTimestamp,
      evaluationSeconds: alarm.config.period * (alarm.config.evaluationPeriods + 1),
    };
  }
}
