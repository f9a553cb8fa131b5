import type { MetricSink } from "../../contracts.js";
import type { Elbv2Model } from "../../services/elbv2/model.js";
import { AlbMetrics, NAMESPACE } from "./alb-metrics.js";
import type { TargetRegistry } from "./target-registry.js";

// The load balancer's metrics on their way to CloudWatch: every interval the health checker's
// states are sampled and what the aggregator holds is published through the MetricSink, the open
// minute included, so that an alarm sees the current minute within one interval.

export const METRICS_INTERVAL_MS = 10_000;

export class AlbMetricsPublisher {
  readonly metrics = new AlbMetrics();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly model: Elbv2Model,
    private readonly registry: TargetRegistry,
    private readonly sink: MetricSink,
    private readonly log: (message: string) => void,
    private readonly intervalMs = METRICS_INTERVAL_MS,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.safeFlush(), this.intervalMs);
    this.timer.unref();
  }

  /** Publishes what is left, so that a clean stop loses no request it counted. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.safeFlush();
  }

  flush(now = Date.now()): void {
    this.sampleHosts(now);
    this.sink.publish(NAMESPACE, this.metrics.drain(now));
  }

  private sampleHosts(now: number): void {
    for (const tg of Object.values(this.model.state.targetGroups)) {
      const states = this.registry.health(tg.arn).map((t) => t.state);
      const healthy = states.filter((s) => s === "healthy").length;
      const unhealthy = states.filter((s) => s === "unhealthy").length;
      for (const lb of this.model.loadBalancerArnsOf(tg.arn))
        this.metrics.hosts(now, lb, tg.arn, healthy, unhealthy);
    }
  }

  private safeFlush(): void {
    try {
      this.flush();
    } catch (error) {
      this.log(`load balancer: publishing metrics failed: ${String(error)}`);
    }
  }
}
