import path from "node:path";
import { z } from "zod";
import { parseStunServer, type StunServer } from "./http/stun-address.js";

/** Everything the server reads from its environment, validated once at start. */
export interface ServerConfig {
  host: string;
  port: number;
  sessionTimeoutMs: number;
  stopTimeoutMs: number;
  maxMessageBytes: number;
  wsHeartbeatMs: number;
  maxPipelinesPerSession: number;
  maxPipelines: number;
  /** Elements (endpoints, filters) one pipeline may hold: each WebRtcEndpoint is a peer connection's memory. */
  maxElementsPerPipeline: number;
  /** UDP ports werift binds for ICE (inclusive); undefined lets the OS choose. */
  mediaUdpPorts: [number, number] | undefined;
  /** container port -> advertised (host) port, learned from ECS metadata or HOST_PORT_<n>_UDP. */
  advertisedPorts: Map<number, number>;
  publicIp: string | undefined;
  /** Where an ECS task learns its public address when nothing tells it (http/stun-address.ts). */
  stunServer: StunServer | undefined;
  turn: { url: string; username: string; password: string } | undefined;
  overlayImageHosts: string[];
  /** RecorderEndpoint files (and PlayerEndpoint's file:// URIs) stay inside this folder. */
  recordingsDir: string;
  /** On AWS: recordings are uploaded to this bucket when finished. */
  recordingsBucket: string | undefined;
  version: { version: string; build: string; commit: string };
  ecsMetadataUri: string | undefined;
  imageUri: string | undefined;
  publicDir: string;
  /** Log field `env`, CloudWatch dimension `Environment`. */
  environment: string;
  logLevel: string;
  cloudwatchLogGroup: string | undefined;
  /** CLOUDWATCH_METRICS, else on where a region is configured (ECS sets AWS_REGION). */
  cloudwatchMetrics: boolean;
}

const portRange = z
  .string()
  .regex(/^\d{1,5}-\d{1,5}$/, 'MEDIA_UDP_PORTS must look like "50000-50019"')
  .transform((s) => s.split("-").map(Number) as [number, number])
  .refine(
    ([from, to]) => from >= 1024 && to <= 65535 && from < to,
    "MEDIA_UDP_PORTS must be 1024..65535, from < to",
  );

const envSchema = z.object({
  HOST: z.string().default("0.0.0.0"),
  PORT: z.coerce.number().int().min(0).max(65535).default(8888),
  SESSION_TIMEOUT_MS: z.coerce.number().int().positive().default(240_000),
  STOP_TIMEOUT: z.coerce.number().positive().default(80),
  MAX_MESSAGE_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  WS_HEARTBEAT_MS: z.coerce.number().int().positive().default(30_000),
  MAX_PIPELINES_PER_SESSION: z.coerce.number().int().positive().default(4),
  MAX_PIPELINES: z.coerce.number().int().positive().default(16),
  MAX_ELEMENTS_PER_PIPELINE: z.coerce.number().int().positive().default(16),
  MEDIA_UDP_PORTS: portRange.optional(),
  PUBLIC_IP: z.ipv4().optional(),
  STUN_SERVER: z
    .string()
    .transform((text, ctx) => {
      try {
        return parseStunServer(text);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
  TURN_URL: z
    .string()
    .regex(/^turns?:/, "TURN_URL must start with turn: or turns:")
    .optional(),
  TURN_USERNAME: z.string().optional(),
  TURN_PASSWORD: z.string().optional(),
  OVERLAY_IMAGE_HOSTS: z.string().default(""),
  RECORDINGS_DIR: z.string().min(1).default("/tmp/media-server-recordings"),
  RECORDINGS_BUCKET: z.string().min(3).optional(),
  APP_VERSION: z.string().default("dev"),
  BUILD_TIME: z.string().default("unknown"),
  GIT_COMMIT: z.string().default("unknown"),
  ECS_CONTAINER_METADATA_URI_V4: z.url().optional(),
  IMAGE_URI: z.string().optional(),
  PUBLIC_DIR: z.string().optional(),
  ENVIRONMENT: z.string().default("local"),
  // "http" keeps the access lines (winston orders it below info).
  LOG_LEVEL: z.enum(["error", "warn", "info", "http", "verbose", "debug", "silly"]).default("http"),
  CLOUDWATCH_LOG_GROUP: z.string().min(1).optional(),
  CLOUDWATCH_METRICS: z
    .enum(["0", "1", "true", "false"])
    .transform((v) => v === "1" || v === "true")
    .optional(),
  AWS_REGION: z.string().min(1).optional(),
});

/** HOST_PORT_<containerPort>_UDP=<hostPort>, set by the local task runner. */
export function hostPortsFromEnv(env: NodeJS.ProcessEnv): Map<number, number> {
  const ports = new Map<number, number>();
  for (const [key, value] of Object.entries(env)) {
    const match = /^HOST_PORT_(\d+)_UDP$/.exec(key);
    const hostPort = Number(value);
    if (match && Number.isInteger(hostPort) && hostPort > 0 && hostPort < 65536) {
      ports.set(Number(match[1]), hostPort);
    }
  }
  return ports;
}

export function loadConfig(env: NodeJS.ProcessEnv, publicDir: string): ServerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid environment: ${problems}`);
  }
  const e = parsed.data;
  const hostPorts = hostPortsFromEnv(env);
  return {
    host: e.HOST,
    port: e.PORT,
    sessionTimeoutMs: e.SESSION_TIMEOUT_MS,
    stopTimeoutMs: e.STOP_TIMEOUT * 1000,
    maxMessageBytes: e.MAX_MESSAGE_BYTES,
    wsHeartbeatMs: e.WS_HEARTBEAT_MS,
    maxPipelinesPerSession: e.MAX_PIPELINES_PER_SESSION,
    maxPipelines: e.MAX_PIPELINES,
    maxElementsPerPipeline: e.MAX_ELEMENTS_PER_PIPELINE,
    mediaUdpPorts: e.MEDIA_UDP_PORTS ?? rangeOf([...hostPorts.values()]),
    // Locally there is no network namespace: the host ports are bound directly.
    advertisedPorts: new Map([...hostPorts.values()].map((p) => [p, p])),
    publicIp: e.PUBLIC_IP,
    stunServer: e.STUN_SERVER,
    turn:
      e.TURN_URL && e.TURN_USERNAME && e.TURN_PASSWORD
        ? { url: e.TURN_URL, username: e.TURN_USERNAME, password: e.TURN_PASSWORD }
        : undefined,
    overlayImageHosts: e.OVERLAY_IMAGE_HOSTS.split(",")
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    recordingsDir: path.resolve(e.RECORDINGS_DIR),
    recordingsBucket: e.RECORDINGS_BUCKET,
    version: { version: e.APP_VERSION, build: e.BUILD_TIME, commit: e.GIT_COMMIT },
    ecsMetadataUri: e.ECS_CONTAINER_METADATA_URI_V4,
    imageUri: e.IMAGE_URI,
    publicDir: e.PUBLIC_DIR ?? publicDir,
    environment: e.ENVIRONMENT,
    logLevel: e.LOG_LEVEL,
    cloudwatchLogGroup: e.CLOUDWATCH_LOG_GROUP,
    cloudwatchMetrics: e.CLOUDWATCH_METRICS ?? e.AWS_REGION !== undefined,
  };
}

function rangeOf(ports: number[]): [number, number] | undefined {
  if (ports.length < 2) return undefined;
  return [Math.min(...ports), Math.max(...ports)];
}
