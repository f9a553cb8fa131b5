import { createLogger as createAppLogger, type Logger, taskIdOf } from "@platform/telemetry";

// The API's side of the platform's logging convention (@platform/telemetry): service "api".

export { errorText, type Logger } from "@platform/telemetry";

export interface LogOptions {
  level: string;
  environment: string;
  version: string;
  /** The ECS task id; this host and pid when there is none. */
  taskId?: string;
  cloudwatchLogGroup?: string;
  silent?: boolean;
  /** Lines go here instead of the console (tests). */
  stream?: NodeJS.WritableStream;
}

export function createLogger(options: LogOptions): Logger {
  const { environment, taskId, ...rest } = options;
  return createAppLogger({
    service: "api",
    env: environment,
    taskId: taskId ?? taskIdOf(undefined),
    ...rest,
  });
}
