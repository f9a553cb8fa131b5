import winston from "winston";
import { cloudWatchLogsClient } from "./aws-clients.js";
import { CloudWatchLogsTransport } from "./cloudwatch-logs-transport.js";
import { liveMeta } from "./context.js";
import { type LogIdentity, lineOf } from "./line.js";
import { dropMessage } from "./log-buffer.js";

// The one logger both apps use: winston, one JSON object per line on stdout (what the ECS
// awslogs driver ships), plus a CloudWatch Logs stream per task when a log group is configured.

export type Logger = winston.Logger;

export interface LoggerOptions extends LogIdentity {
  /** winston's npm levels; "http" (the default) keeps the access lines. */
  level?: string;
  /** Lines go here instead of stdout (tests). */
  stream?: NodeJS.WritableStream;
  silent?: boolean;
  /** The log group to write to; the stream is named from the task id. */
  cloudwatchLogGroup?: string;
  /** Overrides for the CloudWatch Logs transport (tests: a client of a local region, limits). */
  cloudwatch?: Partial<Omit<ConstructorParameters<typeof CloudWatchLogsTransport>[0], "onDropped">>;
}

const MESSAGE = Symbol.for("message");

/** winston's info → the line: `time` first, then level, message, identity, the rest. */
const jsonLine = winston.format((info) => {
  const { level, message, ...rest } = info;
  (info as Record<symbol, unknown>)[MESSAGE] = lineOf({
    time: new Date().toISOString(),
    level,
    message,
    ...rest,
  });
  return info;
});

export function createLogger(options: LoggerOptions): Logger {
  const { service, env, version, taskId } = options;
  const logger = winston.createLogger({
    level: options.level ?? "http",
    format: jsonLine(),
    defaultMeta: liveMeta({ service, env, version, taskId }),
    transports: [
      options.stream
        ? new winston.transports.Stream({ stream: options.stream })
        : new winston.transports.Console({ silent: options.silent ?? false }),
    ],
  });
  if (options.cloudwatchLogGroup) {
    logger.add(
      new CloudWatchLogsTransport({
        client: cloudWatchLogsClient(),
        logGroupName: options.cloudwatchLogGroup,
        logStreamName: streamNameOf(options),
        ...options.cloudwatch,
        onDropped: (report) => logger.warn(dropMessage(report), { droppedLogLines: report.count }),
      }),
    );
  }
  return logger;
}

/** `<service>/<task id>`: one stream per task, as the awslogs driver names them (prefix/container/task). */
export function streamNameOf(identity: Pick<LogIdentity, "service" | "taskId">): string {
  return `${identity.service}/${identity.taskId}`;
}

/** At shutdown: sends what the CloudWatch transport still holds, within the time left. */
export async function flushLogs(logger: Logger, timeoutMs: number): Promise<void> {
  const transports = logger.transports.filter((t) => t instanceof CloudWatchLogsTransport);
  await Promise.all(transports.map((t) => t.drain(timeoutMs)));
  for (const t of transports) t.close();
}

/** For messages about an Error without its stack or our paths. */
export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
