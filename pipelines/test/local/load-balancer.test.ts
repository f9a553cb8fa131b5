import { join } from "node:path";
import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
  type Rule,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { loadSpec, type PlatformSpec, serviceName } from "@platform/env";
import { EcsPlugin, LogsPlugin, TWIN_TAG } from "@platform/local-region";
import { freePorts, startTestRegion, type TestRegion } from "@platform/local-region/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootstrap } from "../../src/local/bootstrap.js";
import { regionClients } from "../../src/local/clients.js";

// `npm start`'s load balancer on a real local region, through the SDK: the production and test
// listeners, weighted rules for the services that shift traffic, the HTTP rules following the HTTPS
// ones, and a restart that converts a rolling service's rules once and never touches ECS's weights.

const specFile = join(import.meta.dirname, "..", "..", "..", "env", "platform.yaml");
let region: TestRegion;
let elb: ElasticLoadBalancingV2Client;
let spec: PlatformSpec;

beforeAll(async () => {
  const logs = new LogsPlugin();
  region = await startTestRegion([logs, new EcsPlugin({ logs, taskPorts: { from: 43900, to: 43909 } })]);
  elb = region.client(ElasticLoadBalancingV2Client);
  spec = loadSpec(specFile);
  const [httpPort, httpsPort, testHttpPort, testHttpsPort] = (await freePorts(4)) as [
    number,
    number,
    number,
    number,
  ];
  spec.local = { ...spec.local, httpPort, httpsPort, testHttpPort, testHttpsPort };
}, 60_000);

afterAll(async () => {
  await region?.cleanup();
});

/** The spec with every service rolling: how a state folder from before blue/green looks. */
function rollingSpec(): PlatformSpec {
  const copy = structuredClone(spec);
  for (const env of Object.values(copy.environments)) {
    env.deployment = { strategy: "ROLLING" };
    for (const service of Object.values(env.services)) delete service.deployment;
  }
  return copy;
}

async function run(s: PlatformSpec) {
  const clients = regionClients(region.endpoint, "us-east-1", region.credentials);
  return bootstrap(clients, s, region.stateDir, { qa: "k-qa", prod: "k-prod" }, () => {});
}

async function rulesOn(port: number): Promise<Rule[]> {
  const listeners =
    (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }))).Listeners ?? [];
  const listener = listeners.find((l) => l.Port === port);
  if (!listener) throw new Error(`no listener on ${port}`);
  return (await elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules ?? [];
}

let loadBalancerArn = "";

/** A weighted forward as [group, weight] pairs; a plain forward (one group, as ELBv2 describes it) as its group. */
function weights(rule: Rule | undefined): string | (string | number | undefined)[][] | undefined {
  const groups = rule?.Actions?.[0]?.ForwardConfig?.TargetGroups ?? [];
  if (groups.length <= 1) return rule?.Actions?.[0]?.TargetGroupArn ?? groups[0]?.TargetGroupArn;
  return groups.map((t) => [t.TargetGroupArn, t.Weight]);
}

describe("the local load balancer for blue/green", () => {
  it("starts rolling: one group per rule, a test listener that serves nothing", async () => {
    const boot = await run(rollingSpec());
    loadBalancerArn = boot.loadBalancerArn;
    expect(boot.alternateTargetGroups).toEqual({});
    expect(boot.listenerRules).toEqual({});
    const https = await rulesOn(spec.local.httpsPort);
    const qaApi = https.find((r) => r.Priority === "11");
    expect(weights(qaApi)).toBe(boot.targetGroups["api-qa"]);
    const test = await rulesOn(spec.local.testHttpsPort);
    expect(test.map((r) => r.Priority)).toEqual(["default"]);
    expect(test[0]?.Actions?.[0]?.Type).toBe("fixed-response");
  });

  it("makes the rules of the services that now shift traffic weighted, once, and mirrors them on the test listener", async () => {
    const boot = await run(spec);
    const names = ["api-qa", "media-server-qa", "api-prod", "media-server-prod"];
    expect(Object.keys(boot.alternateTargetGroups).sort()).toEqual([...names].sort());
    expect(Object.keys(boot.listenerRules).sort()).toEqual([...names].sort());
    const https = await rulesOn(spec.local.httpsPort);
    const http = await rulesOn(spec.local.httpPort);
    const test = await rulesOn(spec.local.testHttpsPort);
    for (const name of names) {
      const rules = boot.listenerRules[name]!;
      const production = https.find((r) => r.RuleArn === rules.production);
      expect(weights(production)).toEqual([
        [boot.targetGroups[name], 100],
        [boot.alternateTargetGroups[name], 0],
      ]);
      expect(test.some((r) => r.RuleArn === rules.test)).toBe(true);
      // The HTTP rule of the same priority follows the HTTPS rule ECS moves.
      const twin = http.find((r) => r.Priority === production?.Priority)!;
      const tags = await elb.send(new DescribeTagsCommand({ ResourceArns: [twin.RuleArn!] }));
      expect(tags.TagDescriptions?.[0]?.Tags).toContainEqual({ Key: TWIN_TAG, Value: rules.production });
    }
    // The default environment's API shifts too, so it has a catch-all rule rather than the listener default.
    const catchAll = https.find(
      (r) => r.RuleArn === boot.listenerRules[serviceName("api", "prod")]!.production,
    );
    expect(catchAll?.Priority).toBe("50000");
  });

  it("leaves the weights alone on a restart: from the first deployment on they are ECS's", async () => {
    const before = await run(spec);
    const rule = before.listenerRules["api-qa"]!.production;
    const flipped = [
      { TargetGroupArn: before.alternateTargetGroups["api-qa"], Weight: 100 },
      { TargetGroupArn: before.targetGroups["api-qa"], Weight: 0 },
    ];
    await elb.send(
      new ModifyRuleCommand({
        RuleArn: rule,
        Actions: [{ Type: "forward", ForwardConfig: { TargetGroups: flipped } }],
      }),
    );
    const after = await run(spec);
    expect(after.listenerRules).toEqual(before.listenerRules);
    const https = await rulesOn(spec.local.httpsPort);
    expect(weights(https.find((r) => r.RuleArn === rule))).toEqual(
      flipped.map((t) => [t.TargetGroupArn, t.Weight]),
    );
  });
});
