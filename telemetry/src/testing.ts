import { PassThrough } from "node:stream";
import { type CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import type { LogIdentity } from "./line.js";
import { createLogger, type Logger } from "./logger.js";

// For the apps' tests: a logger whose lines can be read back, and a metric's statistic over the
// last hour as a (local region's) CloudWatch has it.

/** A stream for createLogger({ stream }), and each JSON line written to it, parsed. */
export function captureLines(): { stream: PassThrough; lines: Record<string, unknown>[] } {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  let partial = "";
  stream.on("data", (chunk) => {
    const parts = (partial + String(chunk)).split("\n");
    partial = parts.pop() ?? "";
    for (const part of parts) if (part) lines.push(JSON.parse(part));
  });
  return { stream, lines };
}

/** A logger at level http writing to memory. */
export function captureLog(identity: LogIdentity): { log: Logger; lines: Record<string, unknown>[] } {
  const { stream, lines } = captureLines();
  return { log: createLogger({ ...identity, stream }), lines };
}

export async function metricStatistic(
  client: CloudWatchClient,
  metric: { namespace: string; name: string; environment: string },
  statistic: "Sum" | "Maximum",
): Promise<number | undefined> {
  const answer = await client.send(
    new GetMetricStatisticsCommand({
      Namespace: metric.namespace,
      MetricName: metric.name,
      Dimensions: [{ Name: "Environment", Value: metric.environment }],
      StartTime: new Date(Date.now() - 3_600_000),
      EndTime: new Date(Date.now() + 60_000),
      Period: 3600,
      Statistics: [statistic],
    }),
  );
  return answer.Datapoints?.reduce((n, d) => n + (d[statistic] ?? 0), 0);
}
