import { lineOf } from "@platform/telemetry";
import { ConfigError, loadConfig } from "./config.js";
import { errorText } from "./log.js";
import { startService } from "./service.js";

// The container's entry: start from the environment, stop cleanly on SIGTERM within STOP_TIMEOUT.

async function main(): Promise<void> {
  const config = loadConfig();
  const service = await startService(config);
  let signals = 0;
  const shutdown = (signal: string) => {
    signals++;
    if (signals > 1) return;
    service.log.info("signal received", { signal });
    // Whatever happens, exit before the task's stopTimeout turns SIGTERM into SIGKILL.
    setTimeout(() => {
      service.log.warn("stop timeout reached; exiting");
      process.exit(1);
    }, config.stopTimeoutMs).unref();
    service.stop().then(
      () => process.exit(0),
      (error) => {
        service.log.error("stop failed", { error: errorText(error) });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error) => {
  const message = error instanceof ConfigError ? error.message : errorText(error);
  // No config, so no logger: the line still has the convention's shape.
  const time = new Date().toISOString();
  process.stderr.write(
    `${lineOf({ time, level: "error", message: `api failed to start: ${message}`, service: "api" })}\n`,
  );
  process.exit(1);
});
