import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  judge,
  parseWaitPoint,
  reached,
  type ServiceDeploymentView,
} from "../../src/ecs/model/service-deployment.js";
import { splitShellWords } from "../../src/ecs/model/shell-words.js";
import {
  advancedConfigurationProblem,
  changedConfiguration,
  strategyOf,
  withoutTestHook,
} from "../../src/ecs/model/strategy.js";
import { blueAndGreen, greenPercent, type ShiftProgress } from "../../src/ecs/model/traffic-shift.js";
import { GitHubReporter } from "../../src/ecs/output/github.js";
import { PlainReporter } from "../../src/ecs/output/plain.js";
import { memorySink } from "../../src/ecs/output/reporter.js";
import { TeamCityReporter, teamcityEscape } from "../../src/ecs/output/teamcity.js";

// The pure parts of a traffic-shifting deploy: strategy and its payloads, the service-deployment
// rules, the traffic split, the test command's words, and the progress lines of each CI output.

describe("strategy", () => {
  it("absent is ROLLING; ECS's names are kept", () => {
    expect(strategyOf(undefined)).toBe("ROLLING");
    expect(strategyOf({ maximumPercent: 200 })).toBe("ROLLING");
    expect(strategyOf({ strategy: "LINEAR" })).toBe("LINEAR");
  });

  it("a traffic-shifting strategy needs advancedConfiguration on every load balancer; ROLLING doesn't", () => {
    const plain = [{ targetGroupArn: "tg-a" }];
    expect(advancedConfigurationProblem("ROLLING", plain)).toBeUndefined();
    expect(advancedConfigurationProblem("CANARY", plain)).toMatch(/missing on tg-a/);
    expect(advancedConfigurationProblem("BLUE_GREEN", [])).toMatch(/needs a load balancer/);
    const wired = [
      {
        targetGroupArn: "tg-a",
        advancedConfiguration: {
          alternateTargetGroupArn: "tg-b",
          productionListenerRule: "r",
          roleArn: "role",
        },
      },
    ];
    expect(advancedConfigurationProblem("BLUE_GREEN", wired)).toBeUndefined();
  });

  it("the configuration sent keeps every field, and the test hook goes away again with the service's hooks kept", () => {
    const current = {
      strategy: "BLUE_GREEN" as const,
      bakeTimeInMinutes: 5,
      alarms: { alarmNames: ["a"], enable: true, rollback: true },
      lifecycleHooks: [{ targetType: "PAUSE" as const, lifecycleStages: ["PRE_SCALE_UP" as const] }],
    };
    expect(changedConfiguration(current, { bakeSeconds: 300 })).toBeUndefined();
    const sent = changedConfiguration(current, { bakeSeconds: 0, testHookTimeoutSeconds: 90 })!;
    expect(sent).toEqual({
      ...current,
      bakeTimeInMinutes: 0,
      lifecycleHooks: [
        ...current.lifecycleHooks,
        {
          targetType: "PAUSE",
          lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"],
          timeoutConfiguration: { timeoutInMinutes: 2, action: "ROLLBACK" },
        },
      ],
    });
    expect(withoutTestHook(sent, current)).toEqual({ ...current, bakeTimeInMinutes: 0 });
    expect(withoutTestHook(sent, { strategy: "BLUE_GREEN" }).lifecycleHooks).toEqual([]);
  });

  it("a switch of strategy drops what only the old one takes, which ECS would refuse beside the new one", () => {
    const blueGreen = {
      strategy: "BLUE_GREEN" as const,
      bakeTimeInMinutes: 1,
      maximumPercent: 200,
      lifecycleHooks: [{ targetType: "PAUSE" as const, lifecycleStages: ["PRE_SCALE_UP" as const] }],
    };
    expect(changedConfiguration(blueGreen, { strategy: "ROLLING", bakeSeconds: 0 })).toEqual({
      strategy: "ROLLING",
      maximumPercent: 200,
    });
    const canary = {
      strategy: "CANARY" as const,
      bakeTimeInMinutes: 15,
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 10 },
    };
    expect(changedConfiguration(canary, { strategy: "BLUE_GREEN" })).toEqual({
      strategy: "BLUE_GREEN",
      bakeTimeInMinutes: 15,
    });
    // The same strategy again changes nothing it already has.
    expect(changedConfiguration(canary, { strategy: "CANARY" })).toBeUndefined();
  });

  it("--bake-time on ROLLING is the CLI's own bake, not ECS's", () => {
    expect(changedConfiguration({ maximumPercent: 200 }, { bakeSeconds: 600 })).toBeUndefined();
  });
});

const view = (over: Partial<ServiceDeploymentView>): ServiceDeploymentView => ({
  arn: "arn:sd/1",
  status: "IN_PROGRESS",
  hooks: [],
  pauseStages: [],
  sources: [],
  ...over,
});

describe("service deployment rules", () => {
  it("a rollback in progress is waited for; its end fails the deploy with every reason", () => {
    expect(judge(view({ status: "ROLLBACK_IN_PROGRESS" })).kind).toBe("waiting");
    expect(judge(view({ status: "SUCCESSFUL" })).kind).toBe("succeeded");
    expect(
      judge(
        view({
          status: "ROLLBACK_SUCCESSFUL",
          statusReason: "Rolled back.",
          circuitBreaker: { status: "TRIGGERED", failureCount: 3, threshold: 3 },
        }),
      ),
    ).toEqual({
      kind: "failed",
      status: "ROLLBACK_SUCCESSFUL",
      explanation:
        "service deployment ROLLBACK_SUCCESSFUL: Rolled back: circuit breaker triggered (3 failed tasks, threshold 3)",
    });
  });

  it("a stage is reached at it or after it, never by a deployment rolling back", () => {
    expect(reached(view({ stage: "BAKE_TIME" }), parseWaitPoint("post_test_traffic_shift"))).toBe(true);
    expect(reached(view({ stage: "SCALE_UP" }), "TEST_TRAFFIC_SHIFT")).toBe(false);
    expect(reached(view({ status: "ROLLBACK_IN_PROGRESS", stage: "BAKE_TIME" }), "BAKE_TIME")).toBe(false);
    expect(reached(view({ stage: "CLEAN_UP" }), "SUCCESSFUL")).toBe(false);
  });
});

describe("traffic split", () => {
  it("blue is the group production sends to when the deploy starts; the groups swap from deploy to deploy", () => {
    expect(
      blueAndGreen(
        [
          { targetGroupArn: "a", weight: 100 },
          { targetGroupArn: "b", weight: 0 },
        ],
        "a",
        "b",
      ),
    ).toEqual({ blue: "a", green: "b" });
    expect(
      blueAndGreen(
        [
          { targetGroupArn: "a", weight: 0 },
          { targetGroupArn: "b", weight: 100 },
        ],
        "a",
        "b",
      ),
    ).toEqual({ blue: "b", green: "a" });
    expect(
      greenPercent(
        [
          { targetGroupArn: "a", weight: 90 },
          { targetGroupArn: "b", weight: 10 },
        ],
        "b",
      ),
    ).toBe(10);
    expect(greenPercent([], "b")).toBeUndefined();
  });
});

describe("--test-command words", () => {
  it("splits as a shell would, without expanding anything", () => {
    expect(splitShellWords(`npm run smoke -- --grep 'green only' "a \\"b\\"" $HOME c\\ d`)).toEqual([
      "npm",
      "run",
      "smoke",
      "--",
      "--grep",
      "green only",
      'a "b"',
      "$HOME",
      "c d",
    ]);
    expect(() => splitShellWords("echo 'open")).toThrow(/' quote is not closed/);
    expect(() => splitShellWords("   ")).toThrow(/empty/);
  });
});

const shift = (over: Partial<ShiftProgress> = {}): ShiftProgress => ({
  serviceDeploymentArn: "arn:aws:ecs:eu-west-1:1:service-deployment/platform/api-qa/sd2",
  strategy: "CANARY",
  status: "IN_PROGRESS",
  stage: "BAKE_TIME",
  productionGreenPercent: 10,
  testOnGreen: true,
  green: { running: 2, desired: 2, healthyTargets: 2 },
  bakeSecondsLeft: 170,
  rollbackTriggers: ["alarm api-qa-5xx"],
  elapsedSeconds: 40,
  ...over,
});

const LINE =
  "CANARY sd2 IN_PROGRESS BAKE_TIME; production 10% green; test listener on green; green 2/2 running, 2 healthy targets; bake 2m50s left; rolls back on alarm api-qa-5xx";

describe("progress lines of a traffic-shifting deploy", () => {
  it("plain: the stage, split, green, bake left and rollback triggers; again only when it changed or a minute of bake passed", () => {
    const sink = memorySink();
    const plain = new PlainReporter(sink, () => new Date("2026-01-01T00:00:00Z"));
    plain.shift(shift());
    plain.shift(shift({ bakeSecondsLeft: 168, elapsedSeconds: 42 }));
    plain.shift(shift({ bakeSecondsLeft: 110, elapsedSeconds: 100 }));
    expect(sink.lines).toEqual([
      `2026-01-01T00:00:00.000Z ${LINE} | 40s`,
      `2026-01-01T00:00:00.000Z ${LINE.replace("2m50s", "1m50s")} | 100s`,
    ]);
  });

  it("TeamCity: progress messages, and the service deployment and hook as parameters", () => {
    const sink = memorySink();
    const tc = new TeamCityReporter(sink);
    tc.shift(shift());
    tc.shift(shift({ elapsedSeconds: 42 }));
    tc.result({
      command: "deploy",
      outcome: "reached",
      exitCode: 0,
      cluster: "platform",
      service: "api-qa",
      taskDefinition: "api-qa:5",
      serviceDeploymentArn: "arn:sd2",
      stage: "POST_TEST_TRAFFIC_SHIFT",
      hookId: "h-1",
      images: [],
      changes: [],
      stoppedTasks: [],
      elapsedSeconds: 9,
    });
    expect(sink.lines.filter((l) => l.startsWith("##teamcity[progressMessage"))).toEqual([
      `##teamcity[progressMessage '${teamcityEscape(`${LINE} | 40s`)}']`,
    ]);
    expect(sink.lines).toContain(
      "##teamcity[setParameter name='env.ECS_SERVICE_DEPLOYMENT_ARN' value='arn:sd2']",
    );
    expect(sink.lines).toContain("##teamcity[setParameter name='env.ECS_HOOK_ID' value='h-1']");
  });

  it("GitHub Actions: the lines inside the progress group", () => {
    const sink = memorySink();
    const summary = join(mkdtempSync(join(tmpdir(), "ecs-gh-")), "summary.md");
    const gh = new GitHubReporter(sink, summary, () => new Date("2026-01-01T00:00:00Z"));
    gh.shift(shift());
    gh.close();
    expect(sink.lines).toEqual([
      "::group::ecs deploy progress",
      `2026-01-01T00:00:00.000Z ${LINE} | 40s`,
      "::endgroup::",
    ]);
    expect(() => readFileSync(summary)).toThrow();
  });
});
