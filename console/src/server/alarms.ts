import {
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricAlarm,
  type MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import type { AlarmView } from "../views.js";
import type { RegionClients } from "./clients.js";

// The Alarms page's snapshot: each metric alarm's state and threshold, its metric over the last
// half hour (GetMetricData with the alarm's own statistic and period) and its state history.

const WINDOW_MS = 30 * 60 * 1000;
const HISTORY = 10;

export class AlarmsView {
  constructor(
    private readonly clients: RegionClients,
    private readonly now: () => number = Date.now,
  ) {}

  async snapshot(): Promise<AlarmView[]> {
    const alarms: MetricAlarm[] = [];
    let NextToken: string | undefined;
    for (let page = 0; page < 10; page++) {
      const out = await this.clients.cloudwatch.send(
        new DescribeAlarmsCommand({ NextToken, MaxRecords: 100 }),
      );
      alarms.push(...(out.MetricAlarms ?? []));
      NextToken = out.NextToken;
      if (!NextToken) break;
    }
    return Promise.all(alarms.map((a) => this.view(a)));
  }

  private async view(a: MetricAlarm): Promise<AlarmView> {
    const name = a.AlarmName ?? "";
    const [points, history] = await Promise.all([this.points(a), this.history(name)]);
    return {
      name,
      description: a.AlarmDescription ?? "",
      state: a.StateValue ?? "",
      reason: a.StateReason ?? "",
      updatedAt: a.StateUpdatedTimestamp?.getTime(),
      metric: a.MetricName
        ? `${a.Namespace} ${a.MetricName} (${a.ExtendedStatistic ?? a.Statistic}, ${a.Period} s)`
        : "metric math",
      threshold: a.Threshold,
      comparison: a.ComparisonOperator ?? "",
      period: a.Period ?? 60,
      evaluationPeriods: a.EvaluationPeriods ?? 1,
      actionsEnabled: a.ActionsEnabled ?? false,
      points,
      history,
    };
  }

  private async points(a: MetricAlarm): Promise<[number, number][]> {
    const queries = metricQueries(a);
    if (queries.length === 0) return [];
    const end = this.now();
    const out = await this.clients.cloudwatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: new Date(end - WINDOW_MS),
        EndTime: new Date(end),
        ScanBy: "TimestampAscending",
      }),
    );
    const result = out.MetricDataResults?.find(
      (r) => r.Id === queries.find((q) => q.ReturnData !== false)?.Id,
    );
    const times = result?.Timestamps ?? [];
    return times
      .map((t, i): [number, number] => [t.getTime(), result?.Values?.[i] ?? 0])
      .sort((x, y) => x[0] - y[0]);
  }

  private async history(name: string): Promise<{ at: number; summary: string }[]> {
    const out = await this.clients.cloudwatch.send(
      new DescribeAlarmHistoryCommand({
        AlarmName: name,
        HistoryItemType: "StateUpdate",
        MaxRecords: HISTORY,
      }),
    );
    return (out.AlarmHistoryItems ?? []).map((h) => ({
      at: h.Timestamp?.getTime() ?? 0,
      summary: h.HistorySummary ?? "",
    }));
  }
}

/** The alarm's own metric as a GetMetricData query, or its metric math as it stands. */
function metricQueries(a: MetricAlarm): MetricDataQuery[] {
  if (a.Metrics?.length) return a.Metrics;
  if (!a.MetricName || !a.Namespace) return [];
  return [
    {
      Id: "m",
      MetricStat: {
        Metric: { Namespace: a.Namespace, MetricName: a.MetricName, Dimensions: a.Dimensions },
        Period: a.Period ?? 60,
        Stat: a.ExtendedStatistic ?? a.Statistic ?? "Average",
      },
      ReturnData: true,
    },
  ];
}
