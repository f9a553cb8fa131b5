import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RegionPlugin } from "../contracts.js";
import { type RegionHandle, type StartRegionOptions, startRegion } from "../region.js";

// A region in this process, on a free port, in a fresh temp folder unless given one, and SDK
// clients pointed at it.

export interface TestRegion extends RegionHandle {
  /** An @aws-sdk client of this region; one attempt per call, so a test sees the first answer. */
  client<T>(ctor: new (config: Record<string, unknown>) => T, extra?: Record<string, unknown>): T;
  /** The usual AWS configuration that points an SDK or the CLI at this region: a profile, nothing else. */
  awsEnv(): Record<string, string>;
  /** Stops the region; removes its folder unless the caller gave it. */
  cleanup(): Promise<void>;
}

export async function startTestRegion(
  plugins: RegionPlugin[] = [],
  stateDir?: string,
  extra: Pick<StartRegionOptions, "smtp" | "log" | "autoscalingAlarms"> = {},
): Promise<TestRegion> {
  const dir = stateDir ?? mkdtempSync(join(tmpdir(), "local-region-test-"));
  const handle = await startRegion({ stateDir: dir, awsEndpointPort: 0, plugins, log: () => {}, ...extra });
  return {
    ...handle,
    client: (ctor, extra = {}) =>
      new ctor({
        endpoint: handle.endpoint,
        region: "us-east-1",
        credentials: {
          accessKeyId: handle.credentials.accessKeyId,
          secretAccessKey: handle.credentials.secretAccessKey,
        },
        maxAttempts: 1,
        ...extra,
      }),
    awsEnv: () => ({
      AWS_PROFILE: handle.credentials.profile,
      AWS_SHARED_CREDENTIALS_FILE: handle.credentials.credentialsFile,
      AWS_CONFIG_FILE: handle.credentials.configFile,
    }),
    cleanup: async () => {
      await handle.stop();
      if (!stateDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
