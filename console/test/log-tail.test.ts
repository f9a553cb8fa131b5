import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import type { RegionClients } from "../src/server/clients.js";
import { INGESTION_SLACK_MS, LogTail } from "../src/server/logs.js";

// The tail's reading of FilterLogEvents (mocked AWS): events that arrive after newer ones were read
// still show, once each.

const event = (id: string, timestamp: number) => ({
  eventId: id,
  timestamp,
  logStreamName: "s",
  message: id,
});

describe("LogTail", () => {
  it("shows an event that is stored after a newer one was read, and no event twice", async () => {
    const logs = mockClient(CloudWatchLogsClient);
    const tail = new LogTail(
      { logs: new CloudWatchLogsClient({ region: "us-east-1" }) } as RegionClients,
      {
        group: "/ecs/api-qa",
        pattern: "",
      },
      () => 1_000_000,
    );
    // "late" carries an older timestamp than "newer" but is stored after the first read.
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [event("a", 1_000_100), event("newer", 1_000_500)] })
      .resolvesOnce({ events: [event("a", 1_000_100), event("late", 1_000_300), event("newer", 1_000_500)] });
    expect((await tail.poll()).map((l) => l.id)).toEqual(["a", "newer"]);
    expect((await tail.poll()).map((l) => l.id)).toEqual(["a", "late", "newer"]);
    const second = logs.commandCalls(FilterLogEventsCommand)[1]!.args[0].input;
    expect(second.startTime).toBe(Math.max(1_000_000 - 15 * 60_000, 1_000_500 - INGESTION_SLACK_MS));
  });

  it("passes the user's pattern to CloudWatch and follows every page", async () => {
    const logs = mockClient(CloudWatchLogsClient);
    const tail = new LogTail({ logs: new CloudWatchLogsClient({ region: "us-east-1" }) } as RegionClients, {
      group: "/ecs/api-qa",
      pattern: '"tail check"',
    });
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [event("p1", 1)], nextToken: "t" })
      .resolvesOnce({ events: [event("p2", 2)] });
    expect((await tail.poll()).map((l) => l.id)).toEqual(["p1", "p2"]);
    expect(logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input.filterPattern)).toEqual([
      '"tail check"',
      '"tail check"',
    ]);
  });
});
