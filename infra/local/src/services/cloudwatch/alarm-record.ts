import type {
  AlarmHistoryItem,
  MetricAlarm,
  PutMetricAlarmInput,
  SetAlarmStateInput,
  StateValue,
} from "@aws-sdk/client-cloudwatch";
import { AwsError } from "../../contracts.js";
import { type AlarmConfig, alarmConfig } from "./alarm-config.js";
import { INITIAL_REASON } from "./alarm-reason.js";
import { invalidValue, missingParameter } from "./errors.js";
import { statisticLabel } from "./statistics.js";

// An alarm as stored: its configuration and its state. Everything here is a pure step from one
// record to the next, with the history items and the actions to run that the step produces; the
// runtime stores the record, appends the history and runs the actions.

export interface AlarmRecord {
  config: AlarmConfig;
  alarmArn: string;
  stateValue: StateValue;
  stateReason: string;
  stateReasonData?: string;
  /** Last change of state or reason; `stateTransitionedTimestamp` only moves with the state. */
  stateUpdatedTimestamp: number;
  stateTransitionedTimestamp: number;
  configurationUpdatedTimestamp: number;
}

export interface Transition {
  from: StateValue;
  to: StateValue;
  /** ARNs to notify: the actions of the new state, none while actions are disabled. */
  actions: string[];
  history: AlarmHistoryItem;
}

export interface NewState {
  stateValue: StateValue;
  stateReason: string;
  stateReasonData?: string;
}

const STATES: readonly string[] = ["OK", "ALARM", "INSUFFICIENT_DATA"];

/**
 * PutMetricAlarm: a new alarm starts in INSUFFICIENT_DATA; an update "completely overwrites the
 * previous configuration" and leaves the state as it was (API reference).
 */
export function putMetricAlarm(
  input: PutMetricAlarmInput,
  existing: AlarmRecord | undefined,
  alarmArn: string,
  now: number,
): { alarm: AlarmRecord; history: AlarmHistoryItem } {
  const config = alarmConfig(input);
  const alarm: AlarmRecord = existing
    ? { ...existing, config, configurationUpdatedTimestamp: now }
    : {
        config,
        alarmArn,
        stateValue: "INSUFFICIENT_DATA",
        stateReason: INITIAL_REASON,
        stateUpdatedTimestamp: now,
        stateTransitionedTimestamp: now,
        configurationUpdatedTimestamp: now,
      };
  return { alarm, history: configurationHistory(alarm, existing, now) };
}

/**
 * SetAlarmState: the state holds "only until the next alarm comparison occurs", which needs no
 * bookkeeping — the next evaluation decides from the metric as usual. Actions run as for any
 * transition, which is what the operation is for (testing them).
 */
export function setAlarmState(alarm: AlarmRecord, input: SetAlarmStateInput, now: number) {
  if (!input.StateValue || !STATES.includes(input.StateValue)) {
    throw invalidValue(`The value ${input.StateValue} for parameter StateValue is invalid.`);
  }
  if (input.StateReason === undefined) throw missingParameter("StateReason");
  if (input.StateReason.length > 1023)
    throw invalidValue("The parameter StateReason must be at most 1023 characters.");
  if (input.StateReasonData !== undefined) checkJson(input.StateReasonData);
  return changeState(
    alarm,
    {
      stateValue: input.StateValue,
      stateReason: input.StateReason,
      ...(input.StateReasonData !== undefined ? { stateReasonData: input.StateReasonData } : {}),
    },
    now,
  );
}

/** Enable/DisableAlarmActions: the alarm keeps evaluating; only its actions stop. */
export function setActionsEnabled(alarm: AlarmRecord, enabled: boolean): AlarmRecord {
  return { ...alarm, config: { ...alarm.config, actionsEnabled: enabled } };
}

/** The record after a new state, and the transition when the state value changed. */
export function changeState(
  alarm: AlarmRecord,
  next: NewState,
  now: number,
): { alarm: AlarmRecord; transition?: Transition } {
  const { stateReasonData: _, ...withoutData } = alarm;
  const updated: AlarmRecord = { ...withoutData, ...next, stateUpdatedTimestamp: now };
  if (next.stateValue === alarm.stateValue) return { alarm: updated };
  const transitioned = { ...updated, stateTransitionedTimestamp: now };
  return {
    alarm: transitioned,
    transition: {
      from: alarm.stateValue,
      to: next.stateValue,
      actions: actionsFor(alarm.config, next.stateValue),
      history: stateHistory(alarm, transitioned, now),
    },
  };
}

/** Alarm actions on →ALARM, OK actions on →OK, insufficient-data actions on →INSUFFICIENT_DATA. */
export function actionsFor(config: AlarmConfig, state: StateValue): string[] {
  if (!config.actionsEnabled) return [];
  if (state === "ALARM") return config.alarmActions;
  if (state === "OK") return config.okActions;
  return config.insufficientDataActions;
}

/** DescribeAlarms' shape of the record. */
export function toMetricAlarm(alarm: AlarmRecord): MetricAlarm {
  const { config } = alarm;
  return {
    AlarmName: config.alarmName,
    AlarmArn: alarm.alarmArn,
    ...(config.alarmDescription !== undefined ? { AlarmDescription: config.alarmDescription } : {}),
    AlarmConfigurationUpdatedTimestamp: new Date(alarm.configurationUpdatedTimestamp),
    ActionsEnabled: config.actionsEnabled,
    OKActions: config.okActions,
    AlarmActions: config.alarmActions,
    InsufficientDataActions: config.insufficientDataActions,
    StateValue: alarm.stateValue,
    StateReason: alarm.stateReason,
    ...(alarm.stateReasonData !== undefined ? { StateReasonData: alarm.stateReasonData } : {}),
    StateUpdatedTimestamp: new Date(alarm.stateUpdatedTimestamp),
    StateTransitionedTimestamp: new Date(alarm.stateTransitionedTimestamp),
    MetricName: config.metric.metricName,
    Namespace: config.metric.namespace,
    ...(config.statistic.kind === "basic"
      ? { Statistic: config.statistic.name }
      : { ExtendedStatistic: statisticLabel(config.statistic) }),
    Dimensions: config.metric.dimensions,
    Period: config.period,
    ...(config.unit !== undefined ? { Unit: config.unit } : {}),
    EvaluationPeriods: config.evaluationPeriods,
    ...(config.datapointsToAlarm !== undefined ? { DatapointsToAlarm: config.datapointsToAlarm } : {}),
    Threshold: config.threshold,
    ComparisonOperator: config.comparisonOperator,
    TreatMissingData: config.treatMissingData,
    ...(config.evaluateLowSampleCountPercentile !== undefined
      ? { EvaluateLowSampleCountPercentile: config.evaluateLowSampleCountPercentile }
      : {}),
  };
}

function stateHistory(before: AlarmRecord, after: AlarmRecord, now: number): AlarmHistoryItem {
  const newState = {
    stateValue: after.stateValue,
    stateReason: after.stateReason,
    ...(after.stateReasonData !== undefined ? { stateReasonData: JSON.parse(after.stateReasonData) } : {}),
  };
  return {
    AlarmName: after.config.alarmName,
    AlarmType: "MetricAlarm",
    Timestamp: new Date(now),
    HistoryItemType: "StateUpdate",
    HistorySummary: `Alarm updated from ${before.stateValue} to ${after.stateValue}`,
    HistoryData: JSON.stringify({
      version: "1.0",
      oldState: { stateValue: before.stateValue, stateReason: before.stateReason },
      newState,
    }),
  };
}

function configurationHistory(
  alarm: AlarmRecord,
  existing: AlarmRecord | undefined,
  now: number,
): AlarmHistoryItem {
  const described = JSON.parse(JSON.stringify(toMetricAlarm(alarm)));
  const data = existing
    ? { version: "1.0", type: "Update", updatedAlarm: described }
    : { version: "1.0", type: "Create", createdAlarm: described };
  return {
    AlarmName: alarm.config.alarmName,
    AlarmType: "MetricAlarm",
    Timestamp: new Date(now),
    HistoryItemType: "ConfigurationUpdate",
    HistorySummary: `Alarm "${alarm.config.alarmName}" ${existing ? "updated" : "created"}`,
    HistoryData: JSON.stringify(data),
  };
}

function checkJson(text: string): void {
  try {
    JSON.parse(text);
  } catch {
    // SetAlarmState's documented error for StateReasonData.
    throw new AwsError("InvalidFormat", "Data was not syntactically valid JSON");
  }
}
