import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  ContinueServiceDeploymentCommandInput,
  StopServiceDeploymentCommandInput,
  UpdateServiceCommandInput,
} from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { runEcs, tdArn, type World } from "./fake-aws.js";
import { blueGreenWorld, PROD_RULE } from "./fake-shift.js";

// `ecs deploy` on a BLUE_GREEN / CANARY / LINEAR service, against the scripted fake of ECS's own
// blue/green (fake-shift.ts): the UpdateService payloads, the stages followed, the test check at the
// tool's hook with a real HTTP server and a real child process, --wait-until, `ecs continue`,
// `ecs rollback` during the bake, and `ecs status`'s deployment history.

let world: World | undefined;
let server: Server | undefined;
afterEach(async () => {
  world?.restore();
  world = undefined;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server on 127.0.0.1 answering `status` to every request, recording what it was asked. */
async function testServer(
  status: number,
): Promise<{ port: number; seen: { url: string; headers: IncomingHttpHeaders }[] }> {
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? "", headers: req.headers });
    res.writeHead(status).end("ok");
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, seen };
}

const deployV2 = (...options: string[]) => ["deploy", "platform", "api-qa", "-t", "v2", ...options];
const updates = (w: World) => w.calls("UpdateService") as UpdateServiceCommandInput[];

describe("ecs deploy on a BLUE_GREEN service", () => {
  it("follows the service deployment through its stages to SUCCESSFUL, showing split, green and bake left", async () => {
    const bg = blueGreenWorld();
    world = bg.world;
    const run = await runEcs(world, deployV2("--timeout", "600"));
    expect(run.exitCode).toBe(0);
    expect(run.text).toMatch(/BLUE_GREEN service deployment sd2 of api-qa:5/);
    expect(run.text).toMatch(/IN_PROGRESS TEST_TRAFFIC_SHIFT; production 0% green; test listener on green/);
    expect(run.text).toMatch(
      /IN_PROGRESS BAKE_TIME; production 100% green; test listener on green; green 2\/2 running, 0 healthy targets; bake 2m left; rolls back on circuit breaker \(0\/3 failed\)/,
    );
    expect(run.text).toMatch(/bake 1m\d*s? left|bake \d+s left/);
    expect(run.text).toMatch(
      /Deployed api-qa:5 to platform\/api-qa .*ECS reports the service deployment SUCCESSFUL/,
    );
    // The rolling follower's rules were not used: one UpdateService, no deployment config sent.
    expect(updates(world)).toEqual([
      { cluster: "platform", service: "api-qa", taskDefinition: tdArn("api-qa", 5) },
    ]);
  });

  it("a deployment ECS rolls back (an alarm in the bake) exits 1 with ECS's reason and the alarm", async () => {
    const bg = blueGreenWorld({ alarms: { alarmNames: ["api-qa-5xx"], enable: true, rollback: true } });
    world = bg.world;
    world.setAlarm("api-qa-5xx", "ALARM", { StateReason: "Threshold Crossed: 12 5xx" });
    bg.shift.failAt = {
      stage: "BAKE_TIME",
      reason: "Service deployment rolled back because alarm api-qa-5xx is in ALARM.",
      triggeredAlarms: ["api-qa-5xx"],
    };
    const run = await runEcs(world, deployV2());
    expect(run.exitCode).toBe(1);
    expect(run.text).toMatch(
      /Deploy of api-qa:5 to platform\/api-qa FAILED: service deployment ROLLBACK_SUCCESSFUL: Service deployment rolled back because alarm api-qa-5xx is in ALARM: alarm\(s\) api-qa-5xx triggered the rollback; rolled back to api-qa:4/,
    );
    expect(run.text).toMatch(/alarm api-qa-5xx is in ALARM: Threshold Crossed: 12 5xx/);
  });

  it("--bake-time sets ECS's bakeTimeInMinutes rounded up, keeping every other field", async () => {
    const bg = blueGreenWorld();
    world = bg.world;
    const run = await runEcs(world, deployV2("--bake-time", "181s"));
    expect(run.exitCode).toBe(0);
    expect(updates(world)[0]?.deploymentConfiguration).toEqual({
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      strategy: "BLUE_GREEN",
      bakeTimeInMinutes: 4,
    });
    expect(run.text).not.toMatch(/Baking for/);
    expect(run.text).not.toMatch(/less than the/);
  });

  it("says so when the region baked less than --bake-time asked (a capped local bake)", async () => {
    const bg = blueGreenWorld();
    bg.shift.maxBakeSeconds = 20;
    world = bg.world;
    const run = await runEcs(world, deployV2("--bake-time", "3m"));
    expect(run.exitCode).toBe(0);
    expect(run.text).toMatch(
      /ECS baked for about \d+ s, less than the 3 min asked .*the deployment alarms guarded it for that long only/,
    );
  });

  it("--bake-time 0 is allowed: no bake", async () => {
    const bg = blueGreenWorld();
    world = bg.world;
    const run = await runEcs(world, deployV2("--bake-time", "0"));
    expect(run.exitCode).toBe(0);
    expect(updates(world)[0]?.deploymentConfiguration?.bakeTimeInMinutes).toBe(0);
  });
});

describe("--strategy", () => {
  it("switches the strategy in the deploy's UpdateService, the rest of the configuration as it was", async () => {
    const bg = blueGreenWorld({ canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 } });
    world = bg.world;
    const run = await runEcs(world, deployV2("--strategy", "canary"));
    expect(run.exitCode).toBe(0);
    const [update] = updates(world);
    expect(update?.taskDefinition).toBe(tdArn("api-qa", 5));
    expect(update?.deploymentConfiguration).toMatchObject({
      strategy: "CANARY",
      bakeTimeInMinutes: 2,
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 },
      deploymentCircuitBreaker: { enable: true, rollback: true },
    });
    expect(run.text).toMatch(/CANARY service deployment/);
  });

  it("refuses BLUE_GREEN on a service whose load balancers have no advancedConfiguration, saying what to add", async () => {
    const bg = blueGreenWorld();
    world = bg.world;
    bg.service.service.loadBalancers = [
      { targetGroupArn: "arn:tg/api-qa", containerName: "api", containerPort: 3000 },
    ];
    bg.service.service.deploymentConfiguration!.strategy = "ROLLING";
    const run = await runEcs(world, deployV2("--strategy", "BLUE_GREEN"));
    expect(run.exitCode).toBe(3);
    expect(run.text).toMatch(
      /--strategy BLUE_GREEN needs advancedConfiguration .*alternateTargetGroupArn .*productionListenerRule .*roleArn/,
    );
    expect(updates(world)).toEqual([]);
    expect(world.calls("RegisterTaskDefinition")).toEqual([]);
  });

  it("rejects a strategy ECS doesn't have", async () => {
    const bg = blueGreenWorld();
    world = bg.world;
    const run = await runEcs(world, deployV2("--strategy", "RED_BLACK"));
    expect(run.exitCode).toBe(3);
    expect(run.text).toMatch(
      /--strategy must be one of ROLLING, BLUE_GREEN, CANARY, LINEAR, got "RED_BLACK"/,
    );
  });
});

describe("--test-url and --test-command", () => {
  it("adds a PAUSE hook for the run, tests green through the test listener found from its rule, continues, and removes the hook", async () => {
    const bg = blueGreenWorld({
      lifecycleHooks: [
        {
          targetType: "AWS_LAMBDA",
          hookTargetArn: "arn:aws:lambda:eu-west-1:123456789012:function:smoke",
          roleArn: "arn:aws:iam::123456789012:role/hook",
          lifecycleStages: ["POST_SCALE_UP"],
        },
      ],
    });
    world = bg.world;
    const http = await testServer(200);
    bg.shift.testListener = {
      protocol: "HTTP" as never,
      port: http.port,
      dnsName: "platform-1.eu-west-1.elb.localhost",
    };
    const run = await runEcs(world, deployV2("--test-url", "/healthz", "--timeout", "600"));
    expect(run.exitCode).toBe(0);
    const [deploy, restore, ...more] = updates(world);
    expect(more).toEqual([]);
    const own = {
      targetType: "AWS_LAMBDA",
      hookTargetArn: "arn:aws:lambda:eu-west-1:123456789012:function:smoke",
      roleArn: "arn:aws:iam::123456789012:role/hook",
      lifecycleStages: ["POST_SCALE_UP"],
    };
    expect(deploy?.deploymentConfiguration?.lifecycleHooks).toEqual([
      own,
      {
        targetType: "PAUSE",
        lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"],
        timeoutConfiguration: { timeoutInMinutes: 10, action: "ROLLBACK" },
      },
    ]);
    expect(restore).toEqual({
      cluster: "platform",
      service: "api-qa",
      deploymentConfiguration: { ...deploy?.deploymentConfiguration, lifecycleHooks: [own] },
    });
    expect(http.seen).toEqual([
      { url: "/healthz", headers: expect.objectContaining({ host: "qa.localhost" }) },
    ]);
    expect(run.text).toMatch(
      /test 1\/5: GET http:\/\/platform-1\.eu-west-1\.elb\.localhost:\d+\/healthz \(Host: qa\.localhost\) → 200/,
    );
    expect((bg.shift.continued as ContinueServiceDeploymentCommandInput[]).map((c) => c.action)).toEqual([
      "CONTINUE",
    ]);
    expect(run.text).toMatch(/Deployed api-qa:5/);
  });

  it("a test URL that never answers 2xx rolls back at the hook: exit 1, production never moved", async () => {
    const bg = blueGreenWorld();
    world = bg.world;
    const http = await testServer(503);
    const run = await runEcs(
      world,
      deployV2("--test-url", "/api/v1/version", "--test-base-url", `http://127.0.0.1:${http.port}`),
    );
    expect(run.exitCode).toBe(1);
    expect(http.seen).toHaveLength(5);
    expect(run.text).toMatch(
      /test 5\/5: GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/version \(Host: qa\.localhost\) → 503/,
    );
    expect(bg.shift.continued.map((c) => c.action)).toEqual(["ROLLBACK"]);
    expect(bg.shift.latest().lifecycleStage).toBe("POST_TEST_TRAFFIC_SHIFT");
    expect(bg.shift.greenWeight.get(PROD_RULE)).toBe(0);
    expect(run.text).toMatch(
      /FAILED: the test check failed: GET \/api\/v1\/version through the test listener answered 503 5 times, not 2xx; service deployment ROLLBACK_SUCCESSFUL/,
    );
    expect(updates(world).at(-1)?.deploymentConfiguration?.lifecycleHooks).toEqual([]);
  });

  it("--test-command runs a real process with TEST_URL: exit 0 continues", async () => {
    const bg = blueGreenWorld();
    world = bg.world;
    const script = "console.log('checking ' + process.env.TEST_URL + ' as ' + process.env.TEST_HOST)";
    const run = await runEcs(
      world,
      deployV2(
        "--test-command",
        `${process.execPath} -e "${script}"`,
        "--test-base-url",
        "http://127.0.0.1:9",
      ),
    );
    expect(run.exitCode).toBe(0);
    expect(run.text).toMatch(/ {2}test\| checking http:\/\/127\.0\.0\.1:9 as qa\.localhost/);
    expect(bg.shift.continued.map((c) => c.action)).toEqual(["CONTINUE"]);
  });

  it("--test-command exiting non-zero rolls back, its output shown", async () => {
    const bg = blueGreenWorld();
    world = bg.world;
    const run = await runEcs(
      world,
      deployV2(
        "--test-command",
        `${process.execPath} -e "console.error('green is broken'); process.exit(3)"`,
        "--test-base-url",
        "http://127.0.0.1:9",
      ),
    );
    expect(run.exitCode).toBe(1);
    expect(run.text).toMatch(/test\| green is broken/);
    expect(run.text).toMatch(/the test check failed: the test command .* exited 3/);
    expect(bg.shift.continued.map((c) => c.action)).toEqual(["ROLLBACK"]);
  });

  it("refuses the test flags on a ROLLING service before anything changes", async () => {
    const bg = blueGreenWorld({ strategy: "ROLLING" });
    world = bg.world;
    const run = await runEcs(world, deployV2("--test-url", "/healthz"));
    expect(run.exitCode).toBe(3);
    expect(run.text).toMatch(/--test-url needs a BLUE_GREEN, CANARY or LINEAR service; api-qa is ROLLING/);
    expect(world.calls("RegisterTaskDefinition")).toEqual([]);
  });
});

describe("--wait-until and ecs continue", () => {
  it("returns 0 at the stage with the deployment ARN and the hook ECS waits on; ecs continue answers it", async () => {
    const bg = blueGreenWorld({
      lifecycleHooks: [{ targetType: "PAUSE", lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"] }],
    });
    world = bg.world;
    const run = await runEcs(world, deployV2("--wait-until", "POST_TEST_TRAFFIC_SHIFT"));
    expect(run.exitCode).toBe(0);
    const arn = bg.shift.latest().serviceDeploymentArn!;
    expect(run.text).toContain(
      `Service deployment ${arn} of api-qa:5 to platform/api-qa reached POST_TEST_TRAFFIC_SHIFT; ECS waits at hook hook-POST_TEST_TRAFFIC_SHIFT-0: ecs continue platform api-qa [--rollback]`,
    );
    const cont = await runEcs(world, ["continue", "platform", "api-qa"]);
    expect(cont.exitCode).toBe(0);
    expect(bg.shift.continued).toEqual([
      { serviceDeploymentArn: arn, hookId: "hook-POST_TEST_TRAFFIC_SHIFT-0", action: "CONTINUE" },
    ]);
    const again = await runEcs(world, ["continue", "platform", "api-qa", "--rollback"]);
    expect(again.exitCode).toBe(3);
    expect(again.text).toMatch(/no hook is AWAITING_ACTION/);
  });

  it("--wait-until SUCCESSFUL waits for the end; a stage that isn't ECS's is refused", async () => {
    const bg = blueGreenWorld();
    world = bg.world;
    expect((await runEcs(world, deployV2("--wait-until", "TEST_TRAFFIC_SHIFTED"))).text).toMatch(
      /--wait-until must be a lifecycle stage/,
    );
    const run = await runEcs(world, deployV2("--wait-until", "SUCCESSFUL", "--json"));
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.out.join("\n"))).toMatchObject({ outcome: "deployed", strategy: "BLUE_GREEN" });
  });
});

describe("ecs rollback during the bake", () => {
  it("stops the open deployment with ROLLBACK and reports the time to ROLLBACK_SUCCESSFUL", async () => {
    const bg = blueGreenWorld({ bakeTimeInMinutes: 30 });
    world = bg.world;
    expect((await runEcs(world, deployV2("--wait-until", "BAKE_TIME"))).exitCode).toBe(0);
    const arn = bg.shift.latest().serviceDeploymentArn!;
    const run = await runEcs(world, ["rollback", "platform", "api-qa"]);
    expect(run.exitCode).toBe(0);
    expect(world.calls("StopServiceDeployment") as StopServiceDeploymentCommandInput[]).toEqual([
      { serviceDeploymentArn: arn, stopType: "ROLLBACK" },
    ]);
    expect(run.text).toMatch(
      /Stopping BLUE_GREEN service deployment .* at BAKE_TIME with a rollback to api-qa:4/,
    );
    expect(run.text).toMatch(
      /Rolled back platform\/api-qa to api-qa:4 in \d+s \(ECS reports ROLLBACK_SUCCESSFUL \d+s after StopServiceDeployment\)/,
    );
    expect(updates(world).filter((u) => u.taskDefinition)).toHaveLength(1);
  });

  it("after the deployment completed, goes back by a new deployment of the previous revision as before", async () => {
    const bg = blueGreenWorld();
    world = bg.world;
    expect((await runEcs(world, deployV2())).exitCode).toBe(0);
    const run = await runEcs(world, ["rollback", "platform", "api-qa"]);
    expect(world.calls("StopServiceDeployment")).toEqual([]);
    expect(updates(world).map((u) => u.taskDefinition)).toEqual([tdArn("api-qa", 5), tdArn("api-qa", 4)]);
    expect(run.text).toMatch(/Rolling back api-qa from api-qa:5 to api-qa:4/);
  });
});

describe("ecs status", () => {
  it("shows the service deployment history newest first, in plain and JSON output", async () => {
    const bg = blueGreenWorld();
    world = bg.world;
    bg.shift.failAt = { stage: "SCALE_UP", reason: "circuit breaker: 3 tasks failed" };
    expect((await runEcs(world, deployV2())).exitCode).toBe(1);
    const plain = await runEcs(world, ["status", "platform", "api-qa"]);
    expect(plain.text).toMatch(/api-qa \(ACTIVE, BLUE_GREEN\)/);
    const history = plain.out.filter((l) => / sd\d /.test(l));
    expect(history[0]).toMatch(
      /ROLLBACK_SUCCESSFUL +SCALE_UP +api-qa:5 sd2 .* \| service deployment ROLLBACK_SUCCESSFUL: circuit breaker: 3 tasks failed/,
    );
    expect(history[1]).toMatch(/SUCCESSFUL +CLEAN_UP +api-qa:4 sd1/);
    const json = JSON.parse((await runEcs(world, ["status", "platform", "api-qa", "--json"])).out.join("\n"));
    expect(json.services[0].history.map((h: { status: string }) => h.status)).toEqual([
      "ROLLBACK_SUCCESSFUL",
      "SUCCESSFUL",
    ]);
    expect(json.services[0].history[0].taskDefinition).toBe("api-qa:5");
  });
});
