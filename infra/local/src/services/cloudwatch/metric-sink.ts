import type { MetricDatum } from "@aws-sdk/client-cloudwatch";
import { AwsError, type Durable, type MetricSink } from "../../contracts.js";
import { commitAfter } from "../../state/durable.js";
import type { MetricLogState } from "./metric-log.js";
import type { CloudWatchModel } from "./model.js";

// CloudWatch's side of the MetricSink seam: PutMetricData's rules and log, without the wire.

const MAX_DATUMS_PER_PUT = 1000;

export class LocalMetricSink implements MetricSink {
  constructor(
    private readonly model: CloudWatchModel,
    private readonly metricLog: Durable<MetricLogState>,
  ) {}

  publish(namespace: string, data: MetricDatum[]): void {
    if (data.length === 0) return;
    commitAfter(this.metricLog, () => {
      for (let i = 0; i < data.length; i += MAX_DATUMS_PER_PUT) {
        this.put(namespace, data.slice(i, i + MAX_DATUMS_PER_PUT));
      }
    });
  }

  /** A put CloudWatch refuses is retried datum by datum, so one refused datum costs only itself. */
  private put(namespace: string, data: MetricDatum[]): void {
    if (this.tryPut(namespace, data) || data.length === 1) return;
    for (const datum of data) this.tryPut(namespace, [datum]);
  }

  private tryPut(namespace: string, data: MetricDatum[]): boolean {
    try {
      this.model.putMetricData(namespace, data, "allowed");
      return true;
    } catch (error) {
      if (error instanceof AwsError) return false;
      throw error;
    }
  }
}
