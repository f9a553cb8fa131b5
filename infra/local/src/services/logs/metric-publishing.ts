import type { MetricDatum } from "@aws-sdk/client-cloudwatch";
import type { MetricSink } from "../../contracts.js";
import type { MetricFilterDatum } from "./filter-pattern.js";

// Hands what metric filters publish to CloudWatch: one PutMetricData per namespace, each datum at
// its log event's time.

export const NO_METRICS: MetricSink = { publish: () => {} };

export function publishMetricData(sink: MetricSink, data: MetricFilterDatum[]): void {
  const byNamespace = new Map<string, MetricDatum[]>();
  for (const datum of data) {
    const list = byNamespace.get(datum.metricNamespace) ?? [];
    list.push(toMetricDatum(datum));
    byNamespace.set(datum.metricNamespace, list);
  }
  for (const [namespace, datums] of byNamespace) sink.publish(namespace, datums);
}

function toMetricDatum(datum: MetricFilterDatum): MetricDatum {
  return {
    MetricName: datum.metricName,
    Timestamp: new Date(datum.timestamp),
    Value: datum.value,
    Dimensions: Object.entries(datum.dimensions).map(([Name, Value]) => ({ Name, Value })),
    ...(datum.unit ? { Unit: datum.unit } : {}),
  };
}
