import { FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { z } from "zod";
import type { LogLine } from "../views.js";
import type { RegionClients } from "./clients.js";

// A live tail of one log group through FilterLogEvents with the user's filter pattern: each poll
// asks from the newest event already seen (CloudWatch's own filter, so a pattern it can't parse comes
// back as its error), keeps the last lines, and drops events it has already shown.

export const tailQuery = z.object({
  group: z.string().regex(/^[.\-_/#A-Za-z0-9]{1,512}$/, "a log group name: letters, digits and . - _ / #"),
  pattern: z.string().max(1024, "a filter pattern is at most 1024 characters").default(""),
});
export type TailQuery = z.infer<typeof tailQuery>;

const KEEP = 300;
const PAGES = 20;
const LOOK_BACK_MS = 15 * 60 * 1000;
/**
 * CloudWatch Logs keeps the timestamps the sources give and stores events as they arrive, so an
 * event can land after newer ones were read (another task's line, a PutLogEvents a moment late).
 * Each poll reads again from this long before the newest line it has, deduplicated by event id.
 */
export const INGESTION_SLACK_MS = 30_000;

export class LogTail {
  private lines: LogLine[] = [];
  private since: number;

  constructor(
    private readonly clients: RegionClients,
    private readonly query: TailQuery,
    now: () => number = Date.now,
  ) {
    this.since = now() - LOOK_BACK_MS;
  }

  async poll(): Promise<LogLine[]> {
    const seen = new Set(this.lines.map((l) => l.id));
    let nextToken: string | undefined;
    for (let page = 0; page < PAGES; page++) {
      const out = await this.clients.logs.send(
        new FilterLogEventsCommand({
          logGroupName: this.query.group,
          filterPattern: this.query.pattern || undefined,
          startTime: this.since,
          nextToken,
        }),
      );
      for (const e of out.events ?? []) {
        const id = e.eventId ?? `${e.timestamp}-${e.logStreamName}-${e.message}`;
        if (seen.has(id)) continue;
        seen.add(id);
        this.lines.push({
          id,
          at: e.timestamp ?? 0,
          stream: e.logStreamName ?? "",
          message: e.message ?? "",
        });
      }
      nextToken = out.nextToken;
      if (!nextToken) break;
    }
    this.lines.sort((a, b) => a.at - b.at);
    this.lines = this.lines.slice(-KEEP);
    const newest = this.lines.at(-1)?.at;
    if (newest !== undefined) this.since = Math.max(this.since, newest - INGESTION_SLACK_MS);
    return this.lines;
  }
}
