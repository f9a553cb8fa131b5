import type { Command } from "commander";
import { awslogsOf, filterLogEvents, type LogQuery } from "../aws/logs.js";
import type { Context } from "../core/context.js";
import { parseDuration } from "../model/bake-time.js";
import { UsageError } from "../model/errors.js";
import { FollowCursor, formatLogLine, streamSelection } from "../model/log-lines.js";
import { addCommonOptions, type CommonOptions, type Runtime, runWithContext } from "./common.js";

interface LogsFlags extends CommonOptions {
  follow?: boolean;
  filter?: string;
  since: number;
  task?: string;
}

/** CloudWatch Logs keeps events two weeks by default; further back there is nothing to read. */
const MAX_SINCE_SECONDS = 14 * 86_400;
const PAGES_PER_POLL = 20;

/** `ecs logs`: a service's container logs from CloudWatch Logs, like `docker logs` / `aws logs tail`. */
export function registerLogs(program: Command, runtime: Runtime): void {
  addCommonOptions(
    program
      .command("logs")
      .description("print a service's container logs (from the awslogs options of its task definition)")
      .argument("<cluster>", "ECS cluster name")
      .argument("<service>", "ECS service name")
      .option("-f, --follow", "keep printing new lines until Ctrl-C")
      .option("--filter <pattern>", "CloudWatch Logs filter pattern, e.g. ERROR or '{ $.level = \"error\" }'")
      .option(
        "--since <duration>",
        "how far back to start: 30s, 10m, 2h",
        (v: string) => parseDuration("--since", v, MAX_SINCE_SECONDS),
        600,
      )
      .option("--task <id>", "one task's lines only (task id or ARN)"),
  ).action(async (cluster: string, service: string, flags: LogsFlags) => {
    await runWithContext(runtime, flags, async (ctx) => {
      const out = runtime.sink(ctx.redactor);
      const source = await logSource(ctx, cluster, service, flags);
      const print = (line: string) => out.out(line);
      await (flags.follow ? follow(ctx, source, print) : printOnce(ctx, source, print));
      return 0;
    });
  });
}

interface Source {
  query: LogQuery;
  prefix: string;
  startTime: number;
}

async function logSource(ctx: Context, cluster: string, service: string, flags: LogsFlags): Promise<Source> {
  const found = await ctx.ecs.service(cluster, service);
  const { taskDefinition } = await ctx.ecs.taskDefinition(found.taskDefinition ?? "");
  const containers = taskDefinition.containerDefinitions ?? [];
  const awslogs = awslogsOf(containers);
  if (!awslogs?.streamPrefix) {
    throw new UsageError(
      `${service}'s task definition has no awslogs log configuration with awslogs-group and awslogs-stream-prefix`,
    );
  }
  const taskId = flags.task?.slice(flags.task.lastIndexOf("/") + 1);
  const names = containers.map((c) => c.name ?? "");
  return {
    query: {
      logGroupName: awslogs.logGroupName,
      filterPattern: flags.filter,
      ...streamSelection(awslogs.streamPrefix, names, taskId),
    },
    prefix: awslogs.streamPrefix,
    startTime: ctx.clock.now().getTime() - flags.since * 1000,
  };
}

async function printOnce(ctx: Context, source: Source, print: (line: string) => void): Promise<void> {
  let nextToken: string | undefined;
  for (let page = 0; page < PAGES_PER_POLL; page++) {
    const answer = await filterLogEvents(ctx.clients, {
      ...source.query,
      startTime: source.startTime,
      nextToken,
    });
    const byTime = [...answer.events].sort((a, b) => a.timestamp - b.timestamp);
    for (const event of byTime) print(formatLogLine(event, source.prefix));
    nextToken = answer.nextToken;
    if (!nextToken) return;
  }
}

/** Polls until SIGINT, printing each event once; Ctrl-C ends it with exit code 0. */
async function follow(ctx: Context, source: Source, print: (line: string) => void): Promise<void> {
  const cursor = new FollowCursor(source.startTime);
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  process.once("SIGINT", stop);
  try {
    while (!stopped) {
      const { events } = await filterLogEvents(ctx.clients, { ...source.query, startTime: cursor.from });
      for (const event of cursor.fresh(events)) print(formatLogLine(event, source.prefix));
      if (!stopped) await ctx.clock.sleep(ctx.pollIntervalMs);
    }
  } finally {
    process.off("SIGINT", stop);
  }
}
