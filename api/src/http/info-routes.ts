import { Router } from "express";
import { schemaDocument } from "../model/profile.js";
import { timingStats, utilization, workerView } from "../model/stats.js";
import type { AppContext } from "./context.js";

// Health, version, schema (no key needed); queues, workers, stats, metrics.

export function publicRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    if (ctx.draining.value) res.status(503).json({ status: "draining" });
    else res.json({ status: "ok" });
  });
  router.get("/api/v1/version", (_req, res) => {
    res.json(ctx.version);
  });
  router.get("/api/v1/schema", (_req, res) => {
    res.json(schemaDocument(ctx.capabilities));
  });
  router.get(["/metrics", "/api/v1/metrics"], async (_req, res) => {
    res.setHeader("Content-Type", ctx.metrics.registry.contentType);
    res.send(await ctx.metrics.registry.metrics());
  });
  return router;
}

export function operationRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get("/worker/queues", async (_req, res) => {
    res.json({ queues: await ctx.store.queues(ctx.now()) });
  });
  router.get("/workers", async (_req, res) => {
    const workers = workerView(await ctx.store.workers(), ctx.now());
    res.json({
      workers: workers.map((w) => ({
        id: w.id,
        taskId: w.taskId,
        host: w.host,
        state: w.state,
        currentJobs: w.currentJobs,
        cpus: w.cpus,
        memory: w.memory,
        slots: w.slots,
        startedAt: new Date(w.startedAt).toISOString(),
        heartbeatAt: new Date(w.heartbeatAt).toISOString(),
      })),
    });
  });
  router.get("/stats", async (_req, res) => {
    const now = ctx.now();
    const [timings, jobsByState, workers, queues] = await Promise.all([
      ctx.store.recentTimings(1000),
      ctx.store.countByState(),
      ctx.store.workers(),
      ctx.store.queues(now),
    ]);
    res.json({ ...timingStats(timings), jobsByState, queues, workers: utilization(workers, now) });
  });
  return router;
}
