import {
  ContinueServiceDeploymentCommand,
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  ListServiceDeploymentsCommand,
  type ServiceDeployment,
  StopServiceDeploymentCommand,
} from "@aws-sdk/client-ecs";
import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TWIN_TAG } from "../../src/contracts.js";
import {
  CLUSTER,
  EcsTestRegion,
  freePort,
  type TestApp,
  testTargetGroup,
  waitFor,
} from "../../src/testing/index.js";

// ECS-native blue/green through the real wire, scheduler and load balancer: green's tasks start in
// the alternate group, the test listener serves green while production stays on blue until a PAUSE
// hook is continued, the production rule (and its twin on a second listener) moves at once, blue
// keeps running through the bake, and StopServiceDeployment during the bake puts production back.

let t: EcsTestRegion;
let app: TestApp;
let testPort = 0;
let twinPort = 0;
const rules = { production: "", test: "", twin: "" };
let greenArn = "";

beforeAll(async () => {
  t = await EcsTestRegion.start({ taskPorts: { from: 43100, to: 43199 }, maxDeploymentBakeSeconds: 8 });
  await t.createEdge();
  app = { name: "app-prod", host: "app.localhost", targetGroupArn: "" };
  app = await t.createApp("app-prod", "placeholder.localhost", 99);
  app = { ...app, host: "app.localhost" };
  greenArn =
    (await t.elb.send(new CreateTargetGroupCommand(testTargetGroup("app-prod-green")))).TargetGroups?.[0]
      ?.TargetGroupArn ?? "";
  const lbArn = (await t.elb.send(new DescribeLoadBalancersCommand({ Names: ["platform"] })))
    .LoadBalancers?.[0]?.LoadBalancerArn as string;
  const production = (await t.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn })))
    .Listeners?.[0]?.ListenerArn as string;
  testPort = await freePort();
  twinPort = await freePort();
  const listener = async (port: number) =>
    (
      await t.elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lbArn,
          Protocol: "HTTP",
          Port: port,
          DefaultActions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "404" } }],
        }),
      )
    ).Listeners?.[0]?.ListenerArn as string;
  const weightedRule = async (listenerArn: string) =>
    (
      await t.elb.send(
        new CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: 10,
          Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: [app.host] } }],
          Actions: [
            {
              Type: "forward",
              ForwardConfig: {
                TargetGroups: [
                  { TargetGroupArn: app.targetGroupArn, Weight: 100 },
                  { TargetGroupArn: greenArn, Weight: 0 },
                ],
              },
            },
          ],
        }),
      )
    ).Rules?.[0]?.RuleArn as string;
  rules.production = await weightedRule(production);
  rules.test = await weightedRule(await listener(testPort));
  rules.twin = await weightedRule(await listener(twinPort));
  await t.elb.send(
    new AddTagsCommand({ ResourceArns: [rules.twin], Tags: [{ Key: TWIN_TAG, Value: rules.production }] }),
  );
  await t.region.settled();
}, 60_000);

afterAll(async () => {
  await t?.region.cleanup();
}, 60_000);

async function createBlueGreenService(image: string): Promise<void> {
  const taskDefinition = await t.registerApp(app, image);
  await t.ecs.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: app.name,
      taskDefinition,
      desiredCount: 1,
      loadBalancers: [
        {
          targetGroupArn: app.targetGroupArn,
          containerName: "app",
          containerPort: 3000,
          advancedConfiguration: {
            alternateTargetGroupArn: greenArn,
            productionListenerRule: rules.production,
            testListenerRule: rules.test,
            roleArn: "arn:aws:iam::000000000000:role/ecs-infrastructure-load-balancers",
          },
        },
      ],
      healthCheckGracePeriodSeconds: 10,
      deploymentConfiguration: {
        strategy: "BLUE_GREEN",
        bakeTimeInMinutes: 1,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        lifecycleHooks: [
          {
            targetType: "PAUSE",
            lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"],
            timeoutConfiguration: { timeoutInMinutes: 5 },
          },
        ],
      },
    }),
  );
}

async function latestDeployment(): Promise<ServiceDeployment> {
  const list = await t.ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: app.name }));
  const arn = list.serviceDeployments?.[0]?.serviceDeploymentArn as string;
  const out = await t.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
  return out.serviceDeployments?.[0] as ServiceDeployment;
}

function waitForStage(stage: string, timeoutMs = 60_000) {
  return waitFor(
    `the deployment to reach ${stage}`,
    async () => {
      const sd = await latestDeployment();
      return sd.lifecycleStage === stage || sd.status !== "IN_PROGRESS" ? sd : undefined;
    },
    timeoutMs,
  );
}

function waitForStatus(status: string, timeoutMs = 60_000) {
  return waitFor(
    `the deployment to be ${status}`,
    async () => {
      const sd = await latestDeployment();
      return sd.status === status ? sd : undefined;
    },
    timeoutMs,
  );
}

const versions = (results: { body: string }[]) => [...new Set(results.map((r) => r.body))].sort();

describe("ECS BLUE_GREEN through the load balancer", () => {
  it("tests green on the test listener, shifts production at once after the hook, bakes, stops blue", async () => {
    await createBlueGreenService(await t.pushImage(app, "v1"));
    await waitForStatus("SUCCESSFUL");
    expect((await t.get(app, "/version")).body).toBe("v1");

    const v2 = await t.pushImage(app, "v2");
    const production = t.load(app, { max: 6000, pauseMs: 10 });
    const twin = t.load(app, { max: 6000, pauseMs: 10, port: twinPort });
    await t.deployImage(app, v2);
    const paused = await waitForStage("POST_TEST_TRAFFIC_SHIFT");
    expect(paused.status).toBe("IN_PROGRESS");
    const hook = paused.lifecycleHookDetails?.[0];
    expect(hook?.status).toBe("AWAITING_ACTION");

    // Paused: the test listener serves green only, production blue only.
    const test = t.load(app, { max: 200, pauseMs: 5, port: testPort });
    await new Promise((r) => setTimeout(r, 1500));
    const testResults = await test.stop();
    expect(testResults.length).toBeGreaterThan(20);
    expect(versions(testResults)).toEqual(["v2"]);
    const continuedAt = Date.now();
    await t.ecs.send(
      new ContinueServiceDeploymentCommand({
        serviceDeploymentArn: paused.serviceDeploymentArn,
        hookId: hook?.hookId,
      }),
    );
    const baking = await waitForStage("BAKE_TIME");
    expect(baking.status).toBe("IN_PROGRESS");
    const done = await waitForStatus("SUCCESSFUL");
    expect(done.lifecycleStage).toBe("CLEAN_UP");
    const results = [...(await production.stop()), ...(await twin.stop())];

    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    // Before the hook was continued production saw v1 only; after the shift, v2 only (a request
    // sent before the shift may still answer v1).
    expect(versions(results.filter((r) => r.at < continuedAt))).toEqual(["v1"]);
    const shiftedAt = results.find((r) => r.body === "v2")?.sentAt ?? Number.POSITIVE_INFINITY;
    expect(results.filter((r) => r.sentAt > shiftedAt && r.body !== "v2")).toEqual([]);
    const weights = await t.elb.send(
      new DescribeRulesCommand({ RuleArns: [rules.production, rules.twin, rules.test] }),
    );
    for (const rule of weights.Rules ?? []) {
      const groups = rule.Actions?.[0]?.ForwardConfig?.TargetGroups ?? [];
      expect(groups.find((g) => g.TargetGroupArn === greenArn)?.Weight).toBeGreaterThan(0);
      expect(groups.find((g) => g.TargetGroupArn === app.targetGroupArn)?.Weight).toBe(0);
    }
  }, 180_000);

  it("rolls back during the bake with StopServiceDeployment: production is on blue within one request", async () => {
    const v3 = await t.pushImage(app, "v3");
    await t.deployImage(app, v3);
    const paused = await waitForStage("POST_TEST_TRAFFIC_SHIFT");
    await t.ecs.send(
      new ContinueServiceDeploymentCommand({
        serviceDeploymentArn: paused.serviceDeploymentArn,
        hookId: paused.lifecycleHookDetails?.[0]?.hookId,
      }),
    );
    await waitForStage("BAKE_TIME");
    expect((await t.get(app, "/version")).body).toBe("v3");

    const load = t.load(app, { max: 4000, pauseMs: 5 });
    await new Promise((r) => setTimeout(r, 300));
    const decidedAt = Date.now();
    await t.ecs.send(
      new StopServiceDeploymentCommand({
        serviceDeploymentArn: paused.serviceDeploymentArn,
        stopType: "ROLLBACK",
      }),
    );
    const answeredAt = Date.now();
    const rolledBack = await waitForStatus("ROLLBACK_SUCCESSFUL");
    const results = await load.stop();
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    const late = results.filter((r) => r.sentAt >= answeredAt && r.body !== "v2");
    expect(late).toEqual([]);
    const firstBlue = results.find((r) => r.sentAt >= decidedAt && r.body === "v2");
    expect(firstBlue).toBeDefined();
    console.log(
      `rollback: StopServiceDeployment answered in ${answeredAt - decidedAt} ms; first request on blue answered ${(firstBlue?.at ?? 0) - decidedAt} ms after the decision`,
    );
    expect(rolledBack.rollback?.reason).toMatch(/StopServiceDeployment/);
    expect((await t.get(app, "/version", testPort)).body).toBe("v2");
  }, 180_000);
});
