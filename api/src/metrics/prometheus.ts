import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { timingStats, utilization } from "../model/stats.js";
import type { JobStats, WorkerRegistry } from "../store/store.js";

// /metrics: gauges read from the store at scrape time (so every task reports the shared queue),
// plus this process's HTTP counters.

export interface ApiMetrics {
  registry: Registry;
  httpRequests: Counter<"method" | "status">;
  httpDuration: Histogram<"method">;
}

export function createMetrics(store: JobStats & WorkerRegistry, now: () => number = Date.now): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: "transcode_jobs",
    help: "Jobs by state",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      const counts = await store.countByState();
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
  new Gauge({
    name: "transcode_queue_depth",
    help: "Jobs waiting for a worker",
    labelNames: ["queue"],
    registers: [registry],
    async collect() {
      for (const q of await store.queues(now())) this.set({ queue: q.name }, q.depth);
    },
  });
  new Gauge({
    name: "transcode_queue_oldest_age_seconds",
    help: "Age of the oldest waiting job",
    labelNames: ["queue"],
    registers: [registry],
    async collect() {
      for (const q of await store.queues(now())) this.set({ queue: q.name }, q.oldestAgeSeconds);
    },
  });
  new Gauge({
    name: "transcode_worker_utilization",
    help: "Busy worker slots / all live worker slots",
    registers: [registry],
    async collect() {
      this.set(utilization(await store.workers(), now()).utilization);
    },
  });
  const timing = (name: string, help: string, pick: "queueDelaySeconds" | "processingSeconds") =>
    new Gauge({
      name,
      help,
      labelNames: ["stat"],
      registers: [registry],
      async collect() {
        const summary = timingStats(await store.recentTimings(1000))[pick];
        for (const stat of ["mean", "p50", "p95"] as const) this.set({ stat }, summary[stat] ?? 0);
      },
    });
  timing("transcode_queue_delay_seconds", "Submission to start, recent jobs", "queueDelaySeconds");
  timing("transcode_processing_seconds", "Start to finish, recent jobs", "processingSeconds");
  const httpRequests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests by method and status",
    labelNames: ["method", "status"],
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration",
    labelNames: ["method"],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  return { registry, httpRequests, httpDuration };
}
