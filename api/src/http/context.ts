import type { Logger } from "../log.js";
import type { ApiMetrics } from "../metrics/prometheus.js";
import type { Capabilities } from "../model/profile.js";
import type { JobFiles } from "../storage/files.js";
import type { JobStore } from "../store/store.js";
import type { InFlight } from "./inflight.js";

// What the HTTP layer is given: the store, the files, and a few facts about this process.

export interface VersionInfo {
  version: string;
  build: string;
  commit: string;
  image: string;
}

/** The part of a worker in this same process the API may nudge (ROLE=all). */
export interface LocalWorker {
  poke(): void;
  abortJob(jobId: string): void;
}

export interface AppContext {
  store: JobStore;
  files: JobFiles;
  log: Logger;
  metrics: ApiMetrics;
  version: VersionInfo;
  capabilities: Capabilities;
  maxAttempts: number;
  maxUploadBytes: number;
  bodyLimitBytes: number;
  worker: LocalWorker | undefined;
  /** Set on SIGTERM: /healthz answers 503 so the load balancer stops sending. */
  draining: { value: boolean };
  inflight: InFlight;
  now: () => number;
}

export interface Caller {
  userid: string;
  admin: boolean;
  keyId: string;
  keyHash: string;
}

declare global {
  namespace Express {
    interface Request {
      caller?: Caller;
    }
  }
}
