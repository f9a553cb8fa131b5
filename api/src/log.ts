import winston from "winston";
import WinstonCloudWatch from "winston-cloudwatch";

// JSON lines: level, message, service, env, version, and jobid/userid where there is a job.

export type Logger = winston.Logger;

export interface LogOptions {
  level: string;
  environment: string;
  version: string;
  cloudwatchLogGroup?: string;
  silent?: boolean;
  /** Lines go here instead of the console (tests). */
  stream?: NodeJS.WritableStream;
}

export function createLogger(options: LogOptions): Logger {
  const transports: winston.transport[] = [
    options.stream
      ? new winston.transports.Stream({ stream: options.stream })
      : new winston.transports.Console({ silent: options.silent ?? false }),
  ];
  if (options.cloudwatchLogGroup) {
    transports.push(
      new WinstonCloudWatch({
        logGroupName: options.cloudwatchLogGroup,
        logStreamName: `api-${process.pid}-${Date.now()}`,
        jsonMessage: true,
      }),
    );
  }
  return winston.createLogger({
    level: options.level,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    defaultMeta: { service: "api", env: options.environment, version: options.version },
    transports,
  });
}

/** For messages about an Error without its stack or our paths. */
export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
