import type { MetricDatum } from "@aws-sdk/client-cloudwatch";
import { type MetricStore, MINUTE_RETENTION_MS } from "./metric-store.js";

// The metric store's durable form: the accepted PutMetricData requests, each with the time it was
// put, replayed in order on start. Replaying with the original times rebuilds the same store (its
// bounds and retention included) without a second format for its buckets. The log keeps what the
// store can still hold (minute buckets for 24 hours) and at most MAX_LOGGED_DATUMS datums; on disk
// it is appended to, and compacted to that now and then (metric-log-file.ts).

type LoggedDatum = Omit<MetricDatum, "Timestamp"> & { Timestamp?: number };

export interface LoggedPut {
  at: number;
  namespace: string;
  data: LoggedDatum[];
}

export interface MetricLogState {
  puts: LoggedPut[];
}

export const MAX_LOGGED_DATUMS = 20_000;

export function emptyMetricLog(): MetricLogState {
  return { puts: [] };
}

export function replayMetricLog(log: MetricLogState, store: MetricStore): void {
  for (const put of log.puts) {
    const data = put.data.map(({ Timestamp, ...datum }) => ({
      ...datum,
      ...(Timestamp !== undefined ? { Timestamp: new Date(Timestamp) } : {}),
    }));
    // Only accepted puts were logged, the region's own AWS/ metrics among them.
    store.put(put.namespace, data, put.at, "allowed");
  }
}

/** Records an accepted put, dropping what the store no longer holds and the oldest past the cap. */
export function logMetricPut(log: MetricLogState, namespace: string, data: MetricDatum[], at: number): void {
  log.puts.push({
    at,
    namespace,
    data: data.map(({ Timestamp, ...datum }) => ({ ...datum, Timestamp: Timestamp?.getTime() ?? at })),
  });
  trimMetricLog(log, at);
}

/** Drops the puts the store no longer holds at `now` and the oldest past the datum cap; the newest stays. */
export function trimMetricLog(log: MetricLogState, now: number): void {
  let datums = loggedDatums(log.puts);
  let drop = 0;
  while (drop < log.puts.length - 1) {
    const oldest = log.puts[drop]!;
    if (oldest.at >= now - MINUTE_RETENTION_MS && datums <= MAX_LOGGED_DATUMS) break;
    datums -= oldest.data.length;
    drop += 1;
  }
  log.puts.splice(0, drop);
}

export const loggedDatums = (puts: LoggedPut[]) => puts.reduce((n, put) => n + put.data.length, 0);
