// 200 alarms evaluated once a second over a metric store holding their data: how long one round
// takes and how many evaluations a second that is. Time is simulated (the model is pure), so each
// simulated second writes that second's datapoints, then times one evaluation round.
// Run: npx tsx infra/local/bench/alarm-evaluation.ts [simulated seconds] (default 600); with
// `node --expose-gc --import tsx` instead of tsx the heap figure is taken after a collection.
import { cpus, totalmem } from "node:os";
import type { MetricDatum, PutMetricAlarmInput } from "@aws-sdk/client-cloudwatch";
import {
  type AlarmRecord,
  evaluateAlarm,
  MetricStore,
  putMetricAlarm,
} from "../src/services/cloudwatch/index.js";

const ALARMS = 200;
const seconds = Math.max(10, Math.min(Number(process.argv[2] ?? 600), 3600));
const START = Date.UTC(2026, 1, 12, 10, 0, 0);
/** Minutes of history written before the timed part, so that buckets are there to read. */
const WARM_UP_MINUTES = 30;

// A mix like the platform's: request counts (Sum, 1 minute, 3 of 5), latencies (p99, 1 minute,
// 2 of 3) and high-resolution queue depths (Average, 10 seconds, 6 of 6).
function alarmInput(i: number): PutMetricAlarmInput {
  const service = [{ Name: "Service", Value: `svc-${i}` }];
  const common = {
    AlarmName: `alarm-${i}`,
    Namespace: "Bench",
    Dimensions: service,
    AlarmActions: ["arn:aws:sns:::a"],
  };
  if (i % 3 === 0) {
    return {
      ...common,
      MetricName: "Requests",
      Statistic: "Sum",
      Period: 60,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      Threshold: 500,
      ComparisonOperator: "GreaterThanThreshold",
    };
  }
  if (i % 3 === 1) {
    return {
      ...common,
      MetricName: "Latency",
      ExtendedStatistic: "p99",
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 250,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "notBreaching",
    };
  }
  return {
    ...common,
    MetricName: "QueueDepth",
    Statistic: "Average",
    Period: 10,
    EvaluationPeriods: 6,
    Threshold: 40,
    ComparisonOperator: "GreaterThanThreshold",
    TreatMissingData: "breaching",
  };
}

/** One second of data for every alarm's metric: 10 requests, their latencies, a queue depth. */
function secondOfData(time: number): MetricDatum[] {
  const timestamp = new Date(time);
  const second = Math.floor(time / 1000);
  return Array.from({ length: ALARMS }, (_, i): MetricDatum => {
    const Dimensions = [{ Name: "Service", Value: `svc-${i}` }];
    if (i % 3 === 0)
      return { MetricName: "Requests", Dimensions, Timestamp: timestamp, Value: 5 + ((second + i) % 10) };
    if (i % 3 === 1) {
      const Values = Array.from({ length: 10 }, (_, k) => 20 + ((second * 7 + k * 13 + i) % 300));
      return { MetricName: "Latency", Dimensions, Timestamp: timestamp, Values, Unit: "Milliseconds" };
    }
    return {
      MetricName: "QueueDepth",
      Dimensions,
      Timestamp: timestamp,
      Value: (second + i) % 80,
      StorageResolution: 1,
    };
  });
}

function main(): void {
  const store = new MetricStore();
  const warmUpStart = START - WARM_UP_MINUTES * 60_000;
  let alarms: AlarmRecord[] = Array.from(
    { length: ALARMS },
    (_, i) => putMetricAlarm(alarmInput(i), undefined, `arn:${i}`, warmUpStart).alarm,
  );
  for (let t = warmUpStart; t < START; t += 1000) store.put("Bench", secondOfData(t), t);

  const rounds: number[] = [];
  let transitions = 0;
  for (let s = 0; s < seconds; s++) {
    const now = START + s * 1000;
    store.put("Bench", secondOfData(now), now);
    const started = performance.now();
    alarms = alarms.map((alarm) => {
      const evaluation = evaluateAlarm(alarm, store, now);
      if (evaluation.transition) transitions++;
      return evaluation.alarm;
    });
    rounds.push(performance.now() - started);
  }

  const sorted = [...rounds].sort((a, b) => a - b);
  const total = rounds.reduce((a, b) => a + b, 0);
  const quantile = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const states: Record<string, number> = {};
  for (const alarm of alarms) states[alarm.stateValue] = (states[alarm.stateValue] ?? 0) + 1;
  console.log(
    `${cpus()[0]?.model ?? "cpu"} x${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
  );
  console.log(
    `${ALARMS} alarms, ${seconds} rounds (one a simulated second), ${WARM_UP_MINUTES} min of data written first`,
  );
  console.log(
    `evaluations/s: ${Math.round((ALARMS * rounds.length) / (total / 1000))} (${((total / (ALARMS * rounds.length)) * 1000).toFixed(1)} µs each)`,
  );
  console.log(
    `round of ${ALARMS}: median ${quantile(0.5).toFixed(2)} ms, p99 ${quantile(0.99).toFixed(2)} ms, max ${sorted.at(-1)!.toFixed(2)} ms (budget 1000 ms)`,
  );
  console.log(`transitions: ${transitions}; final states: ${JSON.stringify(states)}`);
  // With --expose-gc the heap is measured after a collection, so it is what the store holds.
  (globalThis as { gc?: () => void }).gc?.();
  const heap = process.memoryUsage().heapUsed / 2 ** 20;
  console.log(
    `store: ${store.storedEntries} entries (buckets + distinct values), heap ${heap.toFixed(0)} MiB`,
  );
}

main();
