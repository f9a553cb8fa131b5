import type {
  AlarmHistoryItem,
  DescribeAlarmsForMetricInput,
  Dimension,
  GetMetricStatisticsInput,
  ListMetricsInput,
  MetricAlarm,
  MetricDatum,
  PutMetricAlarmInput,
  SetAlarmStateInput,
} from "@aws-sdk/client-cloudwatch";
import { AwsError } from "../../contracts.js";
import { evaluateAlarm, newestDatapoint } from "./alarm-evaluation.js";
import {
  type AlarmRecord,
  putMetricAlarm,
  setActionsEnabled,
  setAlarmState,
  type Transition,
  toMetricAlarm,
} from "./alarm-record.js";
import { metricId, metricKey } from "./metric-identity.js";
import { emptyMetricLog, logMetricPut, type MetricLogState, replayMetricLog } from "./metric-log.js";
import { MetricStore } from "./metric-store.js";
import { statisticLabel } from "./statistics.js";

// CloudWatch's metrics and alarms as one model: the metric store (bounded, in memory, durable as
// the log of its puts: metric-log.ts) and the alarms with their history (plain JSON). The rules are the pure functions of
// this folder; this class keeps the records and hands out what the operations answer.

/** A history item as stored: JSON, its timestamp in epoch milliseconds. */
export interface StoredHistoryItem extends Omit<AlarmHistoryItem, "Timestamp"> {
  Timestamp: number;
}

export interface CloudWatchState {
  alarms: Record<string, AlarmRecord>;
  history: StoredHistoryItem[];
}

export function emptyCloudWatchState(): CloudWatchState {
  return { alarms: {}, history: [] };
}

/** AWS keeps alarm history for two weeks; the local region also bounds its count. */
export const HISTORY_RETENTION_MS = 14 * 86_400_000;
export const MAX_HISTORY_ITEMS = 10_000;
/** "You can create up to 5000 alarms per Region per account" (the default quota). */
export const MAX_ALARMS = 5000;

export interface MetricDataQuery {
  id: string;
  label?: string | undefined;
  returnData: boolean;
  namespace?: string | undefined;
  metricName: string;
  dimensions?: Dimension[] | undefined;
  period?: number | undefined;
  stat: string;
  unit?: string | undefined;
}

export interface AlarmFilter {
  names?: string[] | undefined;
  prefix?: string | undefined;
  stateValue?: string | undefined;
  actionPrefix?: string | undefined;
  types?: string[] | undefined;
}

export interface HistoryFilter {
  alarmName?: string | undefined;
  type?: string | undefined;
  start?: number | undefined;
  end?: number | undefined;
  ascending: boolean;
}

interface Scope {
  region: string;
  accountId: string;
}

export class CloudWatchModel {
  readonly metrics = new MetricStore();

  constructor(
    readonly state: CloudWatchState,
    readonly metricLog: MetricLogState = emptyMetricLog(),
    private readonly now: () => number = Date.now,
  ) {
    replayMetricLog(metricLog, this.metrics);
  }

  /** `reserved: "allowed"` when the region's own services publish (MetricSink). */
  putMetricData(
    namespace: string | undefined,
    data: MetricDatum[],
    reserved: "refused" | "allowed" = "refused",
  ): void {
    const at = this.now();
    this.metrics.put(namespace, data, at, reserved);
    // The store has checked the namespace and every datum: only accepted puts are logged.
    logMetricPut(this.metricLog, namespace!, data, at);
  }

  getMetricStatistics(input: GetMetricStatisticsInput) {
    return this.metrics.getMetricStatistics(input);
  }

  getMetricData(queries: MetricDataQuery[], range: { start: Date; end: Date }, ascending: boolean) {
    if (range.start.getTime() >= range.end.getTime()) {
      throw new AwsError(
        "InvalidParameterValue",
        "The parameter StartTime must be less than the parameter EndTime.",
      );
    }
    return queries
      .filter((q) => q.returnData)
      .map((q) => {
        const metric = metricId(q.namespace ?? "", q.metricName, q.dimensions);
        const window = { start: range.start.getTime(), end: range.end.getTime() };
        const values = this.metrics.metricStatValues(metric, q.stat, q.period ?? 0, window, q.unit);
        if (ascending) {
          values.Timestamps.reverse();
          values.Values.reverse();
        }
        return { Id: q.id, Label: q.label ?? q.metricName, StatusCode: "Complete" as const, ...values };
      });
  }

  listMetrics(input: ListMetricsInput) {
    return this.metrics.listMetrics(input, this.now());
  }

  putMetricAlarm(input: PutMetricAlarmInput, scope: Scope): void {
    const name = input.AlarmName;
    const existing = name === undefined ? undefined : this.state.alarms[name];
    if (!existing && Object.keys(this.state.alarms).length >= MAX_ALARMS) {
      throw new AwsError("LimitExceeded", `The maximum number of alarms (${MAX_ALARMS}) has been reached.`);
    }
    const arn = `arn:aws:cloudwatch:${scope.region}:${scope.accountId}:alarm:${name}`;
    const { alarm, history } = putMetricAlarm(input, existing, arn, this.now());
    this.state.alarms[alarm.config.alarmName] = alarm;
    this.record(history);
  }

  describeAlarms(filter: AlarmFilter): MetricAlarm[] {
    // Composite alarms do not exist here, so asking for them alone finds none.
    if (filter.types && !filter.types.includes("MetricAlarm")) return [];
    return this.sortedAlarms()
      .filter((a) => !filter.names || filter.names.includes(a.config.alarmName))
      .filter((a) => filter.prefix === undefined || a.config.alarmName.startsWith(filter.prefix))
      .filter((a) => filter.stateValue === undefined || a.stateValue === filter.stateValue)
      .filter((a) => filter.actionPrefix === undefined || hasActionWithPrefix(a, filter.actionPrefix))
      .map(toMetricAlarm);
  }

  describeAlarmsForMetric(input: DescribeAlarmsForMetricInput): MetricAlarm[] {
    const key = metricKey(metricId(input.Namespace ?? "", input.MetricName ?? "", input.Dimensions));
    const statistic = input.Statistic ?? input.ExtendedStatistic;
    return this.sortedAlarms()
      .filter((a) => metricKey(a.config.metric) === key)
      .filter((a) => statistic === undefined || statisticLabel(a.config.statistic) === statistic)
      .filter((a) => input.Period === undefined || a.config.period === input.Period)
      .filter((a) => input.Unit === undefined || a.config.unit === input.Unit)
      .map(toMetricAlarm);
  }

  describeAlarmHistory(filter: HistoryFilter): AlarmHistoryItem[] {
    const items = this.state.history.filter(
      (h) =>
        (filter.alarmName === undefined || h.AlarmName === filter.alarmName) &&
        (filter.type === undefined || h.HistoryItemType === filter.type) &&
        (filter.start === undefined || h.Timestamp >= filter.start) &&
        (filter.end === undefined || h.Timestamp <= filter.end),
    );
    const ordered = filter.ascending ? items : [...items].reverse();
    return ordered.map((h) => ({ ...h, Timestamp: new Date(h.Timestamp) }));
  }

  /** The transition when the state value changed: its actions run as an evaluation's would. */
  setAlarmState(input: SetAlarmStateInput): Transition | undefined {
    const alarm = this.alarm(input.AlarmName ?? "");
    const { alarm: updated, transition } = setAlarmState(alarm, input, this.now());
    this.state.alarms[alarm.config.alarmName] = updated;
    if (transition) this.record(transition.history);
    return transition;
  }

  /** DeleteAlarms refuses the whole request when one name is not an alarm. */
  deleteAlarms(names: string[]): void {
    const unknown = names.filter((n) => !this.state.alarms[n]);
    if (unknown.length > 0) {
      throw new AwsError(
        "ResourceNotFound",
        `${unknown.length} of the alarms were not found: ${unknown.join(", ")}`,
        404,
      );
    }
    for (const name of names) delete this.state.alarms[name];
  }

  /** Enable/DisableAlarmActions pass over names that are not alarms, as AWS does. */
  setActionsEnabled(names: string[], enabled: boolean): void {
    for (const name of names) {
      const alarm = this.state.alarms[name];
      if (alarm) this.state.alarms[name] = setActionsEnabled(alarm, enabled);
    }
  }

  /** One evaluation of an alarm on the stored metric; true when the record changed. */
  /** The alarm's newest datapoint now (alarm-evaluation.ts), undefined for no alarm or no data. */
  newestDatapoint(name: string): number | undefined {
    const alarm = this.state.alarms[name];
    return alarm && newestDatapoint(alarm, this.metrics, this.now());
  }

  evaluateAlarm(name: string): { changed: boolean; transition?: Transition } {
    const alarm = this.state.alarms[name];
    if (!alarm) return { changed: false };
    const evaluation = evaluateAlarm(alarm, this.metrics, this.now());
    this.state.alarms[name] = evaluation.alarm;
    if (evaluation.transition) this.record(evaluation.transition.history);
    return {
      changed: evaluation.alarm !== alarm,
      ...(evaluation.transition ? { transition: evaluation.transition } : {}),
    };
  }

  /** What running an action gave (actions run in the runtime, after the transition is committed). */
  recordAction(item: AlarmHistoryItem): void {
    this.record(item);
  }

  alarm(name: string): AlarmRecord {
    const alarm = this.state.alarms[name];
    if (!alarm) throw new AwsError("ResourceNotFound", `Alarm ${name} does not exist.`, 404);
    return alarm;
  }

  private sortedAlarms(): AlarmRecord[] {
    return Object.values(this.state.alarms).sort((a, b) =>
      a.config.alarmName < b.config.alarmName ? -1 : 1,
    );
  }

  private record(item: AlarmHistoryItem): void {
    const now = this.now();
    const kept = this.state.history.filter((h) => h.Timestamp >= now - HISTORY_RETENTION_MS);
    kept.push({ ...item, Timestamp: item.Timestamp?.getTime() ?? now });
    this.state.history = kept.slice(-MAX_HISTORY_ITEMS);
  }
}

function hasActionWithPrefix(alarm: AlarmRecord, prefix: string): boolean {
  const { okActions, alarmActions, insufficientDataActions } = alarm.config;
  return [...okActions, ...alarmActions, ...insufficientDataActions].some((a) => a.startsWith(prefix));
}
