import { GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import type { RegionClients } from "./clients.js";

// Several metrics in one GetMetricData call (it takes up to 500 queries), each back as [ms, value]
// pairs, oldest first, by the id the caller gave it.

export interface MetricQuery {
  id: string;
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  stat: string;
  periodSeconds: number;
}

export async function metricSeries(
  clients: RegionClients,
  queries: MetricQuery[],
  windowMs: number,
  now = Date.now(),
): Promise<Map<string, [number, number][]>> {
  const series = new Map<string, [number, number][]>();
  for (let i = 0; i < queries.length; i += 500) {
    const batch: MetricDataQuery[] = queries.slice(i, i + 500).map((q) => ({
      Id: q.id,
      MetricStat: {
        Metric: {
          Namespace: q.namespace,
          MetricName: q.metric,
          Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })),
        },
        Period: q.periodSeconds,
        Stat: q.stat,
      },
      ReturnData: true,
    }));
    const out = await clients.cloudwatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: batch,
        StartTime: new Date(now - windowMs),
        EndTime: new Date(now),
        ScanBy: "TimestampAscending",
      }),
    );
    for (const r of out.MetricDataResults ?? []) {
      const points = (r.Timestamps ?? []).map((t, k): [number, number] => [t.getTime(), r.Values?.[k] ?? 0]);
      series.set(
        r.Id ?? "",
        points.sort((a, b) => a[0] - b[0]),
      );
    }
  }
  return series;
}
