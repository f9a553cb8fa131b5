import { type CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { FailureStreak, MetricsPublisher } from "@platform/telemetry";
import type { Logger } from "../log.js";
import { errorText } from "../log.js";
import { type DemandSample, demandOf, type Published, shouldPublish } from "../model/demand.js";

// Demand metrics for the service's auto scaling (issue 5, "Demand"): QueueDepth and BacklogPerTask
// in one PutMetricData call, dimension Environment. Names match infra/aws/src/naming.ts. And the
// jobs that failed, counted per minute (JobsFailed).

export const NAMESPACE = "Platform/Transcoding";

export interface DemandSource {
  /** Jobs waiting, and worker tasks running. */
  read(): Promise<{ queueDepth: number; tasks: number }>;
}

export function demandMetricData(
  sample: DemandSample,
  environment: string,
  at: Date,
  StorageResolution: 1 | 60 = 60,
) {
  const Dimensions = [{ Name: "Environment", Value: environment }];
  return {
    Namespace: NAMESPACE,
    MetricData: [
      {
        MetricName: "QueueDepth",
        Dimensions,
        Timestamp: at,
        Value: sample.queueDepth,
        Unit: "Count" as const,
        StorageResolution,
      },
      {
        MetricName: "BacklogPerTask",
        Dimensions,
        Timestamp: at,
        Value: sample.backlogPerTask,
        Unit: "Count" as const,
        StorageResolution,
      },
    ],
  };
}

export class DemandPublisher {
  private last: Published | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly streak = new FailureStreak();

  constructor(
    private readonly client: CloudWatchClient,
    private readonly source: DemandSource,
    private readonly environment: string,
    private readonly intervalMs: number,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly storageResolution: 1 | 60 = 60,
  ) {}

  /** One check: publishes when the policy says so. Returns whether it published. */
  async tick(): Promise<boolean> {
    const { queueDepth, tasks } = await this.source.read();
    const sample = demandOf(queueDepth, tasks);
    const now = this.now();
    if (!shouldPublish(this.last, sample, now, this.intervalMs)) return false;
    await this.client.send(
      new PutMetricDataCommand(
        demandMetricData(sample, this.environment, new Date(now), this.storageResolution),
      ),
    );
    this.last = { at: now, sample };
    return true;
  }

  start(checkEveryMs = 10_000): void {
    // A region that is down fails every check: one warning when that starts, one line when it ends.
    const run = () =>
      this.tick().then(
        () => {
          const failures = this.streak.succeeded();
          if (failures > 0) this.log.info("publishing demand metrics works again", { failures });
        },
        (error) => {
          if (this.streak.failed())
            this.log.warn("publishing demand metrics failed", { error: errorText(error) });
        },
      );
    void run();
    this.timer = setInterval(run, Math.min(checkEveryMs, this.intervalMs));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** JobsFailed per minute, 0 included, so an alarm on it always has data. */
export function jobMetrics(client: CloudWatchClient, environment: string, log: Logger): MetricsPublisher {
  return new MetricsPublisher({
    client,
    namespace: NAMESPACE,
    environment,
    counters: ["JobsFailed"],
    intervalMs: 60_000,
    log,
  });
}
