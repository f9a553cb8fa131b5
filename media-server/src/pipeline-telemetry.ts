import { cloudWatchClient, type Logger, MetricsPublisher } from "@platform/telemetry";
import type { PipelineObserver } from "./protocol/kurento-service.js";

// What the media server tells of its pipelines: a line per pipeline created, failed and released
// (`event: "PipelineFailed"` is what the pipeline-failures metric filter counts), and the metrics
// PipelinesStarted, PipelinesFailed (per minute) and ActivePipelines in Platform/MediaServer.

export const NAMESPACE = "Platform/MediaServer";

export class PipelineTelemetry implements PipelineObserver {
  constructor(
    private readonly log: Logger,
    private readonly metrics: MetricsPublisher | undefined,
  ) {}

  created(pipelineId: string, sessionId: string): void {
    this.log.info("pipeline created", { pipelineId, sessionId });
    this.metrics?.count("PipelinesStarted");
  }

  failed(pipelineId: string, sessionId: string | undefined, reason: string): void {
    this.log.error("pipeline failed", { event: "PipelineFailed", pipelineId, sessionId, reason });
    this.metrics?.count("PipelinesFailed");
  }

  released(pipelineId: string, sessionId: string): void {
    this.log.info("pipeline released", { pipelineId, sessionId });
  }
}

export function pipelineMetrics(environment: string, log: Logger, active: () => number): MetricsPublisher {
  return new MetricsPublisher({
    client: cloudWatchClient(),
    namespace: NAMESPACE,
    environment,
    counters: ["PipelinesStarted", "PipelinesFailed"],
    gauges: () => [{ name: "ActivePipelines", value: active(), unit: "Count" }],
    intervalMs: 60_000,
    log,
  });
}
