import { type CloudWatchClient, PutMetricDataCommand, type StandardUnit } from "@aws-sdk/client-cloudwatch";
import { FailureStreak } from "./failure-streak.js";
import { errorText, type Logger } from "./logger.js";

// An app's own metrics, sent with PutMetricData every interval: counters (what happened since the
// last send: JobsFailed, PipelinesStarted) and gauges (what is now: ActivePipelines), dimension
// Environment. A failed send keeps its counts for the next one and is logged once per streak.

export interface MetricDatum {
  name: string;
  value: number;
  unit: StandardUnit;
}

/** The PutMetricData input for these values at this time. Pure. */
export function metricDataInput(namespace: string, environment: string, data: MetricDatum[], at: Date) {
  const Dimensions = [{ Name: "Environment", Value: environment }];
  return {
    Namespace: namespace,
    MetricData: data.map((d) => ({
      MetricName: d.name,
      Dimensions,
      Timestamp: at,
      Value: d.value,
      Unit: d.unit,
    })),
  };
}

export interface MetricsPublisherOptions {
  client: CloudWatchClient;
  namespace: string;
  environment: string;
  /** Counted metrics; each is sent every interval, 0 when nothing happened (an alarm then sees data). */
  counters: string[];
  gauges?: () => MetricDatum[];
  intervalMs: number;
  log: Logger;
  now?: () => number;
}

export class MetricsPublisher {
  private readonly counts = new Map<string, number>();
  private readonly streak = new FailureStreak();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: MetricsPublisherOptions) {
    for (const name of o.counters) this.counts.set(name, 0);
  }

  count(name: string, by = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + by);
  }

  /** One send of the counts since the last one and the gauges now, within timeoutMs. Never throws. */
  async tick(timeoutMs = 10_000): Promise<boolean> {
    const counted = this.takeCounts();
    const data: MetricDatum[] = counted.map(([name, value]) => ({ name, value, unit: "Count" }));
    data.push(...(this.o.gauges?.() ?? []));
    const input = metricDataInput(
      this.o.namespace,
      this.o.environment,
      data,
      new Date((this.o.now ?? Date.now)()),
    );
    try {
      await this.o.client.send(new PutMetricDataCommand(input), {
        abortSignal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      for (const [name, value] of counted) this.count(name, value);
      if (this.streak.failed())
        this.o.log.warn("publishing metrics failed; retrying quietly until it works", {
          namespace: this.o.namespace,
          error: errorText(error),
        });
      return false;
    }
    const failures = this.streak.succeeded();
    if (failures > 0)
      this.o.log.info("publishing metrics works again", { namespace: this.o.namespace, failures });
    return true;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.o.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and sends what was counted since the last send; a stop waits on it briefly. */
  async stop(timeoutMs = 2000): Promise<void> {
    clearInterval(this.timer);
    await this.tick(timeoutMs);
  }

  private takeCounts(): Array<[string, number]> {
    const taken = [...this.counts];
    for (const name of this.counts.keys()) this.counts.set(name, 0);
    return taken;
  }
}

/** Metrics go to CloudWatch only where a region is configured (ECS sets AWS_REGION; tests a local region). */
export function metricsConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.AWS_REGION ?? env.AWS_DEFAULT_REGION);
}
