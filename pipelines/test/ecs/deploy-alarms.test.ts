import type { UpdateServiceCommandInput } from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { parseBakeTime } from "../../src/ecs/model/bake-time.js";
import { goodRollout, runEcs, standardWorld, tdArn, type World } from "./fake-aws.js";

// `ecs deploy --rollback-alarm/--bake-time` and the service's own deployment alarms, with the AWS
// APIs answered by the scripted fake: CloudWatch's DescribeAlarms, Logs' metric filters and events.

let world: World | undefined;
afterEach(() => world?.restore());

const ALARM = "api-qa-error-logs";
const REASON =
  "Threshold Crossed: 1 out of the last 1 datapoints [4.0 (01/01/26 10:01:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition).";

/** A standard world whose rollout succeeds, with the error-log alarm behind a metric filter. */
function alarmedWorld() {
  const std = standardWorld();
  const w = std.world;
  std.service.script = goodRollout(w);
  w.setAlarm(ALARM, "OK", { Namespace: "Platform/qa", MetricName: "ApiErrorLogs" });
  w.metricFilters.push({
    filterName: "api-qa-errors",
    logGroupName: "/platform/api-qa",
    filterPattern: '{ $.level = "error" }',
    metricTransformations: [{ metricName: "ApiErrorLogs", metricNamespace: "Platform/qa", metricValue: "1" }],
  });
  return { ...std, world: w };
}

/** `ecs deploy platform api-qa -t v2` with these options. */
function deployV2(options: string[]): string[] {
  return ["deploy", "platform", "api-qa", "-t", "v2", ...options];
}

function fireAt(w: World, look: number) {
  w.onAlarmLook = (n) => {
    if (n !== look) return;
    w.setAlarm(ALARM, "ALARM", { StateReason: REASON });
    w.groupEvents.set("/platform/api-qa", [
      {
        logStreamName: "api/api/task9",
        timestamp: w.now.getTime() - 5000,
        message: '{"level":"error","message":"transcode failed","jobId":"j-42"}',
      },
    ]);
  };
}

describe("ecs deploy --rollback-alarm", () => {
  it("an alarm that goes to ALARM during the bake rolls back: exit 1, the alarm, its reason and log lines shown", async () => {
    const std = alarmedWorld();
    world = std.world;
    fireAt(world, 3);
    const run = await runEcs(world, deployV2(["--rollback-alarm", ALARM, "--bake-time", "5m"]));
    expect(run.exitCode).toBe(1);
    expect(run.text).toMatch(/Baking for 5m: watching api-qa-error-logs/);
    expect(run.text).toMatch(
      /FAILED: alarm api-qa-error-logs went to ALARM during the bake: Threshold Crossed: .*; rolled back to api-qa:4/,
    );
    expect(run.text).toContain(`alarm ${ALARM} is in ALARM: ${REASON}`);
    expect(run.text).toContain('last log lines of /platform/api-qa matching { $.level = "error" }:');
    expect(run.text).toContain('"message":"transcode failed"');
    expect(run.text).not.toMatch(/^.*Deployed /m);
    const updates = world.calls("UpdateService") as UpdateServiceCommandInput[];
    expect(updates.map((u) => u.taskDefinition)).toEqual([tdArn("api-qa", 5), tdArn("api-qa", 4)]);
  });

  it("an alarm that stays OK through the bake time: deployed, exit 0, watched for the whole bake", async () => {
    const std = alarmedWorld();
    world = std.world;
    const run = await runEcs(world, deployV2(["--rollback-alarm", ALARM]));
    expect(run.exitCode).toBe(0);
    // No --bake-time: the time a breach takes to show (60 s × (1 + 1)), as the region's ECS bakes.
    expect(run.text).toMatch(/Baking for 2m: watching api-qa-error-logs/);
    expect(world.alarmLooks).toBeGreaterThanOrEqual(30);
    expect(run.text).toMatch(/Deployed .*api-qa:5/);
  });

  it("an alarm already in ALARM when the deploy starts does not fail it", async () => {
    const std = alarmedWorld();
    world = std.world;
    world.setAlarm(ALARM, "ALARM", { StateReason: REASON });
    const run = await runEcs(world, deployV2(["--rollback-alarm", ALARM, "--bake-time", "30s"]));
    expect(run.exitCode).toBe(0);
  });

  it("--bake-time 0 watches nothing; an unknown alarm is named, not silently ignored", async () => {
    const std = alarmedWorld();
    world = std.world;
    const run = await runEcs(world, deployV2(["--rollback-alarm", "no-such-alarm", "--bake-time", "0"]));
    expect(run.exitCode).toBe(0);
    expect(run.text).toMatch(/no such alarm: no-such-alarm/);
    expect(run.text).not.toMatch(/Baking/);
  });

  it("--no-rollback: an alarm during the bake fails the deploy with exit 2 and leaves the service", async () => {
    const std = alarmedWorld();
    world = std.world;
    fireAt(world, 2);
    const run = await runEcs(world, deployV2(["--rollback-alarm", ALARM, "--no-rollback", "--json"]));
    expect(run.exitCode).toBe(2);
    const result = JSON.parse(run.out.join("\n"));
    expect(result.outcome).toBe("failed");
    expect(result.failure.reason).toBe("alarm");
    expect(result.alarm).toMatchObject({ name: ALARM, stateReason: REASON, logGroup: "/platform/api-qa" });
    expect(result.alarm.logLines).toHaveLength(1);
  });

  it("the service's own deployment alarm failing the rollout: ECS's rollback is followed, the alarm named", async () => {
    const std = alarmedWorld();
    world = std.world;
    const w = world;
    std.service.service.deploymentConfiguration!.alarms = {
      alarmNames: [ALARM],
      enable: true,
      rollback: true,
    };
    std.service.script = [
      () => undefined,
      (s) => {
        w.setAlarm(ALARM, "ALARM", { StateReason: REASON });
        w.rollBackTo(
          s,
          tdArn("api-qa", 4),
          "ECS deployment ecs-svc/1 failed: alarm(s) detected: api-qa-error-logs.",
        );
      },
    ];
    const run = await runEcs(world, deployV2([]));
    expect(run.exitCode).toBe(1);
    expect(run.text).toMatch(/ECS rolled back to .*api-qa:4 .*alarm\(s\) detected: api-qa-error-logs/);
    expect(run.text).toContain(`alarm ${ALARM} is in ALARM: ${REASON}`);
    expect(world.calls("StopServiceDeployment")).toEqual([]);
  });
});

describe("--bake-time", () => {
  it("reads 0, seconds, minutes and hours", () => {
    expect(["0", "45", "90s", "5m", "1h"].map(parseBakeTime)).toEqual([0, 45, 90, 300, 3600]);
  });

  it("refuses anything else with a clear error and exit 3", async () => {
    expect(() => parseBakeTime("5 minutes")).toThrow(/--bake-time must be a duration like 0, 90s, 5m or 1h/);
    expect(() => parseBakeTime("2d")).toThrow(/must be a duration/);
    expect(() => parseBakeTime("25h")).toThrow(/at most 24h/);
    const std = standardWorld();
    world = std.world;
    const run = await runEcs(world, deployV2(["--bake-time", "-5m"]));
    expect(run.exitCode).toBe(3);
    expect(run.text).toMatch(/--bake-time must be a duration/);
    expect(world.calls("UpdateService")).toEqual([]);
  });
});
