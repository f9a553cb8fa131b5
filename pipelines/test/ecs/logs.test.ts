import { afterEach, describe, expect, it } from "vitest";
import { FollowCursor } from "../../src/ecs/model/log-lines.js";
import { apiContainer, runEcs, standardWorld, type World } from "./fake-aws.js";

// `ecs logs` against the fake: the group and stream prefix come from the serving revision's
// awslogs options (/platform/api-qa, prefix api), streams are prefix/container/taskId.

let world: World | undefined;
afterEach(() => world?.restore());

const GROUP = "/platform/api-qa";

function loggedWorld() {
  const std = standardWorld();
  const w = std.world;
  const at = w.now.getTime();
  w.groupEvents.set(GROUP, [
    { logStreamName: "api/api/task1aaaaaaaa", timestamp: at - 120_000, message: "listening on 3000" },
    { logStreamName: "api/api/task2bbbbbbbb", timestamp: at - 60_000, message: '{"level":"error"}' },
    { logStreamName: "api/api/task1aaaaaaaa", timestamp: at - 3_600_000, message: "an hour ago" },
  ]);
  return w;
}

describe("ecs logs", () => {
  it("prints the service's lines of the last 10 minutes with time, container and task", async () => {
    world = loggedWorld();
    const run = await runEcs(world, ["logs", "platform", "api-qa"]);
    expect(run.exitCode).toBe(0);
    expect(run.out).toEqual([
      "2026-01-01T09:58:00.000Z api/task1aaa listening on 3000",
      '2026-01-01T09:59:00.000Z api/task2bbb {"level":"error"}',
    ]);
    const [query] = world.calls("FilterLogEvents") as { logGroupName: string; logStreamNamePrefix: string }[];
    expect(query).toMatchObject({ logGroupName: GROUP, logStreamNamePrefix: "api/" });
  });

  it("--task narrows to one task's streams, --since reaches further back, --filter is passed on", async () => {
    world = loggedWorld();
    const run = await runEcs(world, [
      "logs",
      "platform",
      "api-qa",
      "--task",
      "arn:aws:ecs:eu-west-1:123456789012:task/platform/task1aaaaaaaa",
      "--since",
      "2h",
      "--filter",
      "ERROR",
    ]);
    expect(run.exitCode).toBe(0);
    expect(run.out.map((l) => l.slice(25))).toEqual([
      "api/task1aaa an hour ago",
      "api/task1aaa listening on 3000",
    ]);
    const [query] = world.calls("FilterLogEvents");
    expect(query).toMatchObject({ logStreamNames: ["api/api/task1aaaaaaaa"], filterPattern: "ERROR" });
  });

  it("--follow prints each event once, new ones as they come, and stops cleanly on SIGINT", async () => {
    world = loggedWorld();
    const w = world;
    const sleep = w.clock.sleep;
    let naps = 0;
    w.clock = {
      ...w.clock,
      sleep: async (ms) => {
        naps++;
        if (naps === 1) {
          w.groupEvents.get(GROUP)!.push({
            logStreamName: "api/api/task2bbbbbbbb",
            timestamp: w.now.getTime(),
            message: "new line",
          });
        }
        if (naps === 3) process.emit("SIGINT");
        await sleep(ms);
      },
    };
    const run = await runEcs(w, ["logs", "platform", "api-qa", "--follow"]);
    expect(run.exitCode).toBe(0);
    expect(run.out.map((l) => l.slice(38))).toEqual(["listening on 3000", '{"level":"error"}', "new line"]);
    expect(process.listenerCount("SIGINT")).toBe(0);
  });

  it("errors are one clear line: a bad --since, a service without awslogs", async () => {
    world = loggedWorld();
    const bad = await runEcs(world, ["logs", "platform", "api-qa", "--since", "yesterday"]);
    expect(bad.exitCode).toBe(3);
    expect(bad.text).toMatch(/--since must be a duration like 0, 90s, 5m or 1h, got "yesterday"/);
    world.restore();
    world = standardWorld(apiContainer({ logConfiguration: undefined })).world;
    const none = await runEcs(world, ["logs", "platform", "api-qa"]);
    expect(none.exitCode).toBe(3);
    expect(none.text).toMatch(/has no awslogs log configuration/);
    expect(none.text).not.toMatch(/\n\s+at /);
  });
});

describe("FollowCursor", () => {
  it("starts each poll a little before the newest event and forgets ids it left behind", () => {
    const cursor = new FollowCursor(0, 1000);
    const e = (id: string, timestamp: number) => ({
      eventId: id,
      timestamp,
      logStreamName: "p/c/t",
      message: id,
    });
    expect(cursor.fresh([e("a", 100), e("b", 5000)]).map((x) => x.eventId)).toEqual(["a", "b"]);
    expect(cursor.from).toBe(4000);
    expect(cursor.fresh([e("b", 5000), e("c", 5200)]).map((x) => x.eventId)).toEqual(["c"]);
  });
});
