import { sha256Digest } from "./digest.js";

/**
 * The image config (the `config` object of a Docker image config): what the local region's task
 * runner (infra/local) and Docker read to start the process.
 */
export interface ImageConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  /** `NAME=value` entries. */
  Env?: string[];
  WorkingDir?: string;
  ExposedPorts?: Record<string, object>;
  Labels?: Record<string, string>;
}

/** The whole config blob a registry stores next to the layers (`application/vnd.docker.container.image.v1+json`). */
export interface ImageConfigBlob {
  architecture: string;
  os: string;
  created: string;
  config: ImageConfig;
  rootfs: { type: "layers"; diff_ids: string[] };
}

/** Fixed default for `created`, so the same content always gives the same image digest. */
export const REPRODUCIBLE_EPOCH = "1970-01-01T00:00:00.000Z";

export interface ConfigBlobInput {
  config: ImageConfig;
  /** sha256 of each layer's uncompressed tar, base layer first. */
  diffIds: string[];
  created?: string;
  architecture?: string;
}

/** Serializes the config blob with a fixed key order: its digest depends on content only. */
export function serializeConfigBlob(input: ConfigBlobInput): { bytes: Buffer; digest: string } {
  const blob: ImageConfigBlob = {
    architecture: input.architecture ?? "amd64",
    os: "linux",
    created: input.created ?? REPRODUCIBLE_EPOCH,
    config: normalizeConfig(input.config),
    rootfs: { type: "layers", diff_ids: [...input.diffIds] },
  };
  const bytes = Buffer.from(JSON.stringify(blob), "utf8");
  return { bytes, digest: sha256Digest(bytes) };
}

function normalizeConfig(config: ImageConfig): ImageConfig {
  const out: ImageConfig = {};
  if (config.Entrypoint) out.Entrypoint = [...config.Entrypoint];
  if (config.Cmd) out.Cmd = [...config.Cmd];
  if (config.Env) out.Env = [...config.Env];
  if (config.WorkingDir) out.WorkingDir = config.WorkingDir;
  if (config.ExposedPorts) out.ExposedPorts = sortedRecord(config.ExposedPorts);
  if (config.Labels) out.Labels = sortedRecord(config.Labels);
  return out;
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Validates a config before it is packed: the task runner trusts what is in an image. */
export function validateImageConfig(config: ImageConfig): void {
  for (const entry of config.Env ?? []) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(entry)) {
      throw new Error(`image config Env entry "${entry}" is not NAME=value`);
    }
  }
  for (const port of Object.keys(config.ExposedPorts ?? {})) {
    const match = /^(\d{1,5})\/(tcp|udp)$/.exec(port);
    if (!match || Number(match[1]) < 1 || Number(match[1]) > 65535) {
      throw new Error(`image config ExposedPorts key "${port}" is not <port>/tcp or <port>/udp`);
    }
  }
  if (config.WorkingDir !== undefined && !config.WorkingDir.startsWith("/")) {
    throw new Error(`image config WorkingDir "${config.WorkingDir}" must be an absolute path`);
  }
}
