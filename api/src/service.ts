import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { S3Client } from "@aws-sdk/client-s3";
import { cloudWatchClient, flushLogs, type MetricsPublisher } from "@platform/telemetry";
import type { Config } from "./config.js";
import { createApp } from "./http/app.js";
import type { AppContext } from "./http/context.js";
import { EventStream } from "./http/events-ws.js";
import { InFlight } from "./http/inflight.js";
import { watchStopNotice } from "./http/stop-notice.js";
import { adminKeyRecord } from "./keys.js";
import { createLogger, errorText, type Logger } from "./log.js";
import { detectEncoders, detectQualityFilters } from "./media/ffmpeg.js";
import { DemandPublisher, jobMetrics } from "./metrics/cloudwatch.js";
import { createMetrics } from "./metrics/prometheus.js";
import { utilization } from "./model/stats.js";
import { type AddressPolicy, publicUnicastOnly } from "./storage/address-policy.js";
import { JobFiles } from "./storage/files.js";
import { GuardedFetcher } from "./storage/guarded-fetch.js";
import { FolderObjectStore, type ObjectStore } from "./storage/objects.js";
import { S3ObjectStore } from "./storage/s3.js";
import { databaseTarget, openStore } from "./store/open.js";
import type { JobStore } from "./store/store.js";
import { concurrencyOf, encodeThreadsOf, identityOf, imageOf, readTaskMetadata } from "./worker/identity.js";
import { Worker } from "./worker/worker.js";

// Assembles the process from its config: store, storage, HTTP server (ROLE api/all), worker
// (ROLE worker/all), demand and job metrics; and takes it apart again on SIGTERM.

export interface ServiceOptions {
  log?: Logger;
  /** Tests allow their own loopback servers as inputs; production never sets this. */
  addressPolicy?: AddressPolicy;
}

export interface Service {
  config: Config;
  store: JobStore;
  log: Logger;
  /** Where the HTTP server listens (ROLE api/all). */
  url: string | undefined;
  worker: Worker | undefined;
  /** The SIGTERM path: health 503, no new work, jobs handed back, in-flight requests finished. */
  stop(): Promise<void>;
}

function objectStore(config: Config, s3: () => S3Client): ObjectStore {
  if (config.objectsBucket) return new S3ObjectStore(s3(), config.objectsBucket, "objects/");
  mkdirSync(config.objectsDir!, { recursive: true });
  return new FolderObjectStore(config.objectsDir!);
}

async function ensureAdminKey(store: JobStore, key: string | undefined, log: Logger): Promise<void> {
  if (!key) return;
  const { id, hash } = adminKeyRecord(key);
  const added = await store.addKey({ id, userid: "admin", hash, admin: true }, Date.now());
  log.info(added ? "admin key added" : "admin key present", { keyId: id });
}

function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
      resolve(`http://${shownHost}:${address.port}`);
    });
  });
}

export async function startService(config: Config, options: ServiceOptions = {}): Promise<Service> {
  const metadata = await readTaskMetadata(config.ecsMetadataUri);
  const identity = identityOf(metadata);
  const log =
    options.log ??
    createLogger({
      level: config.logLevel,
      environment: config.environment,
      version: config.version.version,
      taskId: identity.taskId,
      cloudwatchLogGroup: config.cloudwatchLogGroup,
    });
  const store = await openStore(databaseTarget(config.database), { scheduling: config.scheduling });
  if ("urlIgnored" in config.database && config.database.urlIgnored)
    log.warn(
      "DATABASE_URL is set but not used: DATABASE_SECRET_ARN (the RDS-managed secret) takes precedence",
    );
  let s3Client: S3Client | undefined;
  const s3 = () => (s3Client ??= new S3Client({}));
  const fetcher = new GuardedFetcher(options.addressPolicy ?? publicUnicastOnly, {
    maxBytes: config.maxInputBytes,
    timeoutMs: 10 * 60_000,
    maxRedirects: 5,
  });
  const files = new JobFiles(
    objectStore(config, s3),
    (bucket) => new S3ObjectStore(s3(), bucket),
    fetcher,
    config.allowedBuckets,
  );
  await ensureAdminKey(store, config.adminKey, log);

  const cloudwatch = config.cloudwatchMetrics ? cloudWatchClient() : undefined;
  const jobs: MetricsPublisher | undefined =
    cloudwatch && config.role !== "api" ? jobMetrics(cloudwatch, config.environment, log) : undefined;
  const cpus = config.workerCpus ?? metadata.cpus ?? config.cpus;
  let worker: Worker | undefined;
  const slots = concurrencyOf(config.concurrency, { ...metadata, cpus }, config.cpus);
  if (config.role !== "api") {
    worker = new Worker({
      store,
      files,
      identity,
      slots,
      cpus: Math.max(1, Math.round(cpus)),
      encodeThreads: encodeThreadsOf(cpus, slots, config.cpus, config.workerCpus),
      memoryMiB: metadata.memoryMiB ?? 0,
      leaseMs: config.leaseMs,
      heartbeatMs: config.heartbeatMs,
      pollMs: config.pollMs,
      segments: config.segments,
      segmentAttempts: config.maxAttempts,
      tmpDir: config.tmpDir,
      log,
      onJobFailed: () => jobs?.count("JobsFailed"),
    });
    await worker.start();
    jobs?.start();
  }

  const draining = { value: false };
  const inflight = new InFlight();
  let server: Server | undefined;
  let events: EventStream | undefined;
  let stopWatch: (() => void) | undefined;
  let publisher: DemandPublisher | undefined;
  let url: string | undefined;
  if (config.role !== "worker") {
    const [encoders, qualityFilters] = await Promise.all([detectEncoders(), detectQualityFilters()]);
    const ctx: AppContext = {
      store,
      files,
      log,
      metrics: createMetrics(store),
      version: {
        version: config.version.version,
        build: config.version.build,
        commit: config.version.commit,
        image: imageOf(metadata, config.version.imageUri),
      },
      capabilities: { encoders, qualityFilters },
      maxAttempts: config.maxAttempts,
      maxUploadBytes: config.maxUploadBytes,
      bodyLimitBytes: 256 * 1024,
      worker,
      draining,
      inflight,
      now: Date.now,
    };
    const app = createApp(ctx);
    server = createServer(app);
    server.keepAliveTimeout = 65_000; // longer than the ALB's 60 s idle timeout
    events = new EventStream(ctx);
    events.attach(server);
    const stream = events;
    stopWatch = watchStopNotice(config.ecsMetadataUri, () => {
      log.info("ECS is stopping this task: event sockets closed (1001) to reconnect elsewhere");
      stream.goAway("task stopping");
    });
    url = await listen(server, config.port, config.host);
    if (cloudwatch) {
      publisher = new DemandPublisher(
        cloudwatch,
        {
          read: async () => {
            const now = Date.now();
            const [queues, workers] = await Promise.all([store.queues(now), store.workers()]);
            return {
              queueDepth: queues.reduce((n, q) => n + q.depth, 0),
              tasks: utilization(workers, now).tasks,
            };
          },
        },
        config.environment,
        config.metricsIntervalMs,
        log,
        Date.now,
        config.metricsStorageResolution,
      );
      publisher.start();
    }
    log.info("api listening", { url, role: config.role });
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      draining.value = true;
      stopWatch?.();
      publisher?.stop();
      log.info("stopping: draining", { role: config.role });
      // Health answers 503 from here on; requests in flight (uploads, submissions) finish first,
      // while the worker hands its jobs back. Then the listener closes.
      events?.close();
      const requestsDone = inflight.idle(Math.max(1000, config.stopTimeoutMs - 5000));
      await worker?.stop().catch((error) => log.error("worker stop failed", { error: errorText(error) }));
      await requestsDone;
      if (server) {
        const listening = server;
        await new Promise<void>((resolve) => {
          listening.close(() => resolve());
          listening.closeIdleConnections();
        });
      }
      await fetcher.close().catch(() => undefined);
      await store.close();
      await jobs?.stop();
      log.info("stopped");
      await flushLogs(log, 2000);
    })());

  return { config, store, log, url, worker, stop };
}
