import { availableParallelism, tmpdir } from "node:os";
import { z } from "zod";
import { SCHEDULINGS, type Scheduling } from "./model/scheduling.js";

// Everything the process reads from its environment, validated once at boot.

const flag = z.enum(["0", "1", "true", "false"]).transform((v) => v === "1" || v === "true");
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const EnvSchema = z.object({
  ROLE: z.enum(["api", "worker", "all"]).default("all"),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATABASE_URL: z.string().min(1).optional(),
  // RDS: its address and the managed master user secret (what infra/aws passes); TLS against the CA file.
  DATABASE_HOST: z.string().min(1).optional(),
  DATABASE_PORT: int(1, 65535).default(5432),
  DATABASE_NAME: z.string().min(1).optional(),
  DATABASE_SECRET_ARN: z.string().min(1).optional(),
  DATABASE_CA_FILE: z.string().min(1).optional(),
  OBJECTS_DIR: z.string().min(1).optional(),
  OBJECTS_BUCKET: z.string().min(3).optional(),
  /** Comma-separated buckets that `s3://` inputs and outputs may name. */
  ALLOWED_BUCKETS: z.string().default(""),
  API_ADMIN_KEY: z.string().min(16, "API_ADMIN_KEY must be at least 16 characters").optional(),
  STOP_TIMEOUT: int(1, 600).default(25),
  LEASE_SECONDS: int(2, 3600).default(30),
  HEARTBEAT_SECONDS: z.coerce.number().min(0.1).max(600).default(5),
  POLL_MS: int(50, 60_000).default(1000),
  MAX_ATTEMPTS: int(1, 20).default(3),
  WORKER_CONCURRENCY: int(1, 64).optional(),
  // The CPUs this worker may use (else the task's CPU limit, else the host's): each slot's share.
  WORKER_CPUS: int(1, 256).optional(),
  // Which waiting job a free worker takes among those of equal priority (model/scheduling.ts).
  SCHEDULING: z.enum(SCHEDULINGS).default("fifo"),
  SEGMENT_THRESHOLD_SECONDS: z.coerce.number().min(1).max(86_400).default(120),
  SEGMENT_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  APP_VERSION: z.string().default("dev"),
  BUILD_TIME: z.string().default("unknown"),
  GIT_COMMIT: z.string().default("unknown"),
  IMAGE_URI: z.string().optional(),
  ENVIRONMENT: z.string().default("local"),
  // "http" keeps the access lines (winston orders it below info).
  LOG_LEVEL: z.enum(["error", "warn", "info", "http", "verbose", "debug", "silly"]).default("http"),
  CLOUDWATCH_METRICS: flag.optional(),
  CLOUDWATCH_LOG_GROUP: z.string().min(1).optional(),
  AWS_REGION: z.string().min(1).optional(),
  METRICS_INTERVAL_SECONDS: int(1, 3600).default(60),
  // 1: the demand metrics at high resolution, for scaling alarms with periods under a minute.
  METRICS_STORAGE_RESOLUTION: z.enum(["1", "60"]).default("60").transform(Number),
  ECS_CONTAINER_METADATA_URI_V4: z.string().url().optional(),
  MAX_UPLOAD_BYTES: int(1, 2 ** 52).default(2 * 1024 ** 3),
  MAX_INPUT_BYTES: int(1, 2 ** 52).default(4 * 1024 ** 3),
  TMPDIR: z.string().default(tmpdir()),
});

export type Role = "api" | "worker" | "all";

/** Where the store lives: a URL (SQLite, or PostgreSQL for local use), or RDS with its managed secret. */
export type DatabaseConfig =
  | { url: string; caFile: string | undefined }
  | {
      host: string;
      port: number;
      database: string;
      secretArn: string;
      caFile: string;
      /** DATABASE_URL was set too (a deploy that still passes the spec's secret) and is not used. */
      urlIgnored: boolean;
    };

export interface Config {
  role: Role;
  port: number;
  host: string;
  database: DatabaseConfig;
  objectsDir: string | undefined;
  objectsBucket: string | undefined;
  allowedBuckets: string[];
  adminKey: string | undefined;
  stopTimeoutMs: number;
  leaseMs: number;
  heartbeatMs: number;
  pollMs: number;
  maxAttempts: number;
  concurrency: number | undefined;
  /** Inputs this long or longer are encoded in segments by all free workers (model/segments.ts). */
  segments: { thresholdSeconds: number; segmentSeconds: number };
  version: { version: string; build: string; commit: string; imageUri: string | undefined };
  environment: string;
  logLevel: string;
  /** CLOUDWATCH_METRICS, else on where a region is configured (ECS sets AWS_REGION). */
  cloudwatchMetrics: boolean;
  cloudwatchLogGroup: string | undefined;
  metricsIntervalMs: number;
  scheduling: Scheduling;
  /** CloudWatch's StorageResolution of the demand metrics: 60 (standard) or 1 (high resolution). */
  metricsStorageResolution: 1 | 60;
  ecsMetadataUri: string | undefined;
  maxUploadBytes: number;
  maxInputBytes: number;
  tmpDir: string;
  cpus: number;
  /** WORKER_CPUS: overrides the task's CPU limit (benchmarks of a 1-CPU worker on a bigger host). */
  workerCpus: number | undefined;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`invalid environment:\n  ${problems.join("\n  ")}`);
  }
  const e = parsed.data;
  return {
    role: e.ROLE,
    port: e.PORT,
    host: e.HOST,
    database: databaseConfig(e),
    objectsDir: e.OBJECTS_BUCKET ? e.OBJECTS_DIR : (e.OBJECTS_DIR ?? "./data/objects"),
    objectsBucket: e.OBJECTS_BUCKET,
    allowedBuckets: e.ALLOWED_BUCKETS.split(",")
      .map((b) => b.trim())
      .filter(Boolean),
    adminKey: e.API_ADMIN_KEY,
    stopTimeoutMs: e.STOP_TIMEOUT * 1000,
    leaseMs: e.LEASE_SECONDS * 1000,
    heartbeatMs: e.HEARTBEAT_SECONDS * 1000,
    pollMs: e.POLL_MS,
    maxAttempts: e.MAX_ATTEMPTS,
    concurrency: e.WORKER_CONCURRENCY,
    segments: { thresholdSeconds: e.SEGMENT_THRESHOLD_SECONDS, segmentSeconds: e.SEGMENT_SECONDS },
    version: { version: e.APP_VERSION, build: e.BUILD_TIME, commit: e.GIT_COMMIT, imageUri: e.IMAGE_URI },
    environment: e.ENVIRONMENT,
    logLevel: e.LOG_LEVEL,
    cloudwatchMetrics: e.CLOUDWATCH_METRICS ?? e.AWS_REGION !== undefined,
    cloudwatchLogGroup: e.CLOUDWATCH_LOG_GROUP,
    metricsIntervalMs: e.METRICS_INTERVAL_SECONDS * 1000,
    scheduling: e.SCHEDULING,
    metricsStorageResolution: e.METRICS_STORAGE_RESOLUTION as 1 | 60,
    ecsMetadataUri: e.ECS_CONTAINER_METADATA_URI_V4,
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    maxInputBytes: e.MAX_INPUT_BYTES,
    tmpDir: e.TMPDIR,
    cpus: availableParallelism(),
    workerCpus: e.WORKER_CPUS,
  };
}

function databaseConfig(e: z.infer<typeof EnvSchema>): DatabaseConfig {
  if (e.DATABASE_SECRET_ARN === undefined) {
    if (e.DATABASE_HOST || e.DATABASE_NAME)
      throw new ConfigError("invalid environment:\n  DATABASE_HOST/DATABASE_NAME need DATABASE_SECRET_ARN");
    return { url: e.DATABASE_URL ?? "sqlite:./data/api.db", caFile: e.DATABASE_CA_FILE };
  }
  const missing = [
    !e.DATABASE_HOST && "DATABASE_HOST is required with DATABASE_SECRET_ARN",
    !e.DATABASE_NAME && "DATABASE_NAME is required with DATABASE_SECRET_ARN",
    // RDS certificates chain to Amazon's RDS CAs, which are not in Node's default store.
    !e.DATABASE_CA_FILE && "DATABASE_CA_FILE (the RDS CA bundle) is required with DATABASE_SECRET_ARN",
  ].filter((m): m is string => typeof m === "string");
  if (missing.length > 0) throw new ConfigError(`invalid environment:\n  ${missing.join("\n  ")}`);
  return {
    host: e.DATABASE_HOST as string,
    port: e.DATABASE_PORT,
    database: e.DATABASE_NAME as string,
    secretArn: e.DATABASE_SECRET_ARN,
    caFile: e.DATABASE_CA_FILE as string,
    // The managed secret wins: it is the one RDS rotates. Refusing to boot would turn a deploy that
    // still carries the old hand-made DATABASE_URL into a rollback; the service logs it instead.
    urlIgnored: e.DATABASE_URL !== undefined,
  };
}
