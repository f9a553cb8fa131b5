import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyLoadBalancerAttributesCommand,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  paginateDescribeTargetGroups,
  RegisterTargetsCommand,
  RemoveTagsCommand,
  SetRulePrioritiesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startTestRegion, type TestRegion } from "../src/testing/index.js";

let region: TestRegion;
let elb: ElasticLoadBalancingV2Client;

beforeAll(async () => {
  region = await startTestRegion();
  elb = region.client(ElasticLoadBalancingV2Client);
});
afterAll(async () => {
  elb.destroy();
  await region.cleanup();
});

async function expectError(promise: Promise<unknown>, name: string, status = 400) {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  expect(error, `expected ${name}`).toBeDefined();
  expect(error?.name).toBe(name);
  expect(error?.$metadata?.httpStatusCode).toBe(status);
}

describe("ELBv2 through @aws-sdk/client-elastic-load-balancing-v2", () => {
  it("creates, describes and deletes a load balancer with an AWS-like ARN and DNS name", async () => {
    const created = await elb.send(
      new CreateLoadBalancerCommand({
        Name: "edge-a",
        Subnets: ["subnet-1", "subnet-2"],
        Tags: [{ Key: "env", Value: "qa" }],
      }),
    );
    const lb = created.LoadBalancers![0]!;
    expect(lb.LoadBalancerArn).toMatch(
      /^arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer\/app\/edge-a\/[0-9a-f]{16}$/,
    );
    expect(lb.DNSName).toMatch(/^edge-a-\d+\.us-east-1\.elb\.localhost$/);
    expect(lb.State?.Code).toBe("active");
    expect(lb.CreatedTime).toBeInstanceOf(Date);
    const byName = await elb.send(new DescribeLoadBalancersCommand({ Names: ["edge-a"] }));
    expect(byName.LoadBalancers?.map((l) => l.LoadBalancerArn)).toEqual([lb.LoadBalancerArn]);
    const tags = await elb.send(new DescribeTagsCommand({ ResourceArns: [lb.LoadBalancerArn!] }));
    expect(tags.TagDescriptions?.[0]?.Tags).toEqual([{ Key: "env", Value: "qa" }]);
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
    await expectError(
      elb.send(new DescribeLoadBalancersCommand({ Names: ["edge-a"] })),
      "LoadBalancerNotFoundException",
    );
  });

  it("answers names and ports out of AWS's limits with ValidationError", async () => {
    await expectError(elb.send(new CreateLoadBalancerCommand({ Name: "x".repeat(33) })), "ValidationError");
    await expectError(elb.send(new CreateLoadBalancerCommand({ Name: "-bad" })), "ValidationError");
    await expectError(
      elb.send(new CreateTargetGroupCommand({ Name: "tg_bad", Protocol: "HTTP", Port: 80 })),
      "ValidationError",
    );
    await expectError(
      elb.send(new CreateTargetGroupCommand({ Name: "tg-port", Protocol: "HTTP", Port: 70000 })),
      "ValidationError",
    );
    await expectError(
      elb.send(
        new CreateTargetGroupCommand({
          Name: "tg-hc",
          Protocol: "HTTP",
          Port: 80,
          HealthCheckIntervalSeconds: 5,
          HealthCheckTimeoutSeconds: 5,
        }),
      ),
      "ValidationError",
    );
    await expectError(
      elb.send(
        new CreateTargetGroupCommand({
          Name: "tg-m",
          Protocol: "HTTP",
          Port: 80,
          Matcher: { HttpCode: "600" },
        }),
      ),
      "ValidationError",
    );
  });

  it("runs listeners, rules with priorities, target groups, attributes and targets", async () => {
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: "edge-b" }))).LoadBalancers![0]!;
    const tg = (
      await elb.send(
        new CreateTargetGroupCommand({
          Name: "api-qa",
          Protocol: "HTTP",
          Port: 80,
          VpcId: "vpc-1",
          HealthCheckPath: "/healthz",
          HealthCheckIntervalSeconds: 5,
          HealthCheckTimeoutSeconds: 4,
          HealthyThresholdCount: 2,
          UnhealthyThresholdCount: 2,
          Matcher: { HttpCode: "200" },
        }),
      )
    ).TargetGroups![0]!;
    expect(tg.TargetGroupArn).toMatch(/:targetgroup\/api-qa\/[0-9a-f]{16}$/);
    expect(tg.HealthCheckIntervalSeconds).toBe(5);
    expect(tg.LoadBalancerArns).toEqual([]);
    await expectError(
      elb.send(
        new CreateTargetGroupCommand({
          Name: "api-qa",
          Protocol: "HTTP",
          Port: 80,
          HealthCheckPath: "/other",
        }),
      ),
      "DuplicateTargetGroupNameException",
    );

    const port = await freePort();
    const listener = (
      await elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Port: port,
          Protocol: "HTTP",
          DefaultActions: [
            {
              Type: "fixed-response",
              FixedResponseConfig: { StatusCode: "404", ContentType: "text/plain", MessageBody: "none" },
            },
          ],
        }),
      )
    ).Listeners![0]!;
    expect(listener.ListenerArn).toMatch(/:listener\/app\/edge-b\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
    await expectError(
      elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Port: port,
          Protocol: "HTTP",
          DefaultActions: [{ Type: "forward", TargetGroupArn: tg.TargetGroupArn }],
        }),
      ),
      "DuplicateListenerException",
    );
    await expectError(
      elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Port: 0,
          Protocol: "HTTP",
          DefaultActions: [{ Type: "forward", TargetGroupArn: tg.TargetGroupArn }],
        }),
      ),
      "ValidationError",
    );

    const forward = [{ Type: "forward" as const, TargetGroupArn: tg.TargetGroupArn }];
    const rule = (
      await elb.send(
        new CreateRuleCommand({
          ListenerArn: listener.ListenerArn,
          Priority: 10,
          Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: ["qa.localhost"] } }],
          Actions: forward,
        }),
      )
    ).Rules![0]!;
    expect(rule.Priority).toBe("10");
    await expectError(
      elb.send(
        new CreateRuleCommand({
          ListenerArn: listener.ListenerArn,
          Priority: 10,
          Conditions: [{ Field: "path-pattern", Values: ["/x"] }],
          Actions: forward,
        }),
      ),
      "PriorityInUseException",
    );
    await expectError(
      elb.send(
        new CreateRuleCommand({
          ListenerArn: listener.ListenerArn,
          Priority: 50001,
          Conditions: [{ Field: "path-pattern", Values: ["/x"] }],
          Actions: forward,
        }),
      ),
      "ValidationError",
    );
    const second = (
      await elb.send(
        new CreateRuleCommand({
          ListenerArn: listener.ListenerArn,
          Priority: 20,
          Conditions: [{ Field: "path-pattern", Values: ["/media/*"] }],
          Actions: forward,
        }),
      )
    ).Rules![0]!;
    await elb.send(
      new SetRulePrioritiesCommand({
        RulePriorities: [
          { RuleArn: rule.RuleArn, Priority: 20 },
          { RuleArn: second.RuleArn, Priority: 10 },
        ],
      }),
    );
    await elb.send(
      new ModifyRuleCommand({
        RuleArn: rule.RuleArn,
        Conditions: [{ Field: "host-header", Values: ["*.qa.localhost"] }],
      }),
    );
    const rules = (await elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules!;
    expect(rules.map((r) => [r.Priority, r.IsDefault])).toEqual([
      ["10", false],
      ["20", false],
      ["default", true],
    ]);
    expect(rules[1]?.Conditions?.[0]?.Values).toEqual(["*.qa.localhost"]);
    await expectError(
      elb.send(new DeleteRuleCommand({ RuleArn: rules[2]!.RuleArn })),
      "OperationNotPermittedException",
    );

    const described = (await elb.send(new DescribeTargetGroupsCommand({ Names: ["api-qa"] })))
      .TargetGroups![0]!;
    expect(described.LoadBalancerArns).toEqual([lb.LoadBalancerArn]);
    await expectError(
      elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn })),
      "ResourceInUseException",
    );

    const modified = await elb.send(
      new ModifyTargetGroupCommand({
        TargetGroupArn: tg.TargetGroupArn,
        HealthCheckPath: "/ready",
        HealthyThresholdCount: 3,
      }),
    );
    expect(modified.TargetGroups?.[0]?.HealthCheckPath).toBe("/ready");
    expect(modified.TargetGroups?.[0]?.HealthyThresholdCount).toBe(3);
    await expectError(
      elb.send(
        new ModifyTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn, UnhealthyThresholdCount: 11 }),
      ),
      "ValidationError",
    );

    const attrs = await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: tg.TargetGroupArn,
        Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "15" }],
      }),
    );
    expect(attrs.Attributes).toContainEqual({ Key: "deregistration_delay.timeout_seconds", Value: "15" });
    const read = await elb.send(
      new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn }),
    );
    expect(read.Attributes).toContainEqual({ Key: "deregistration_delay.timeout_seconds", Value: "15" });
    await expectError(
      elb.send(
        new ModifyTargetGroupAttributesCommand({
          TargetGroupArn: tg.TargetGroupArn,
          Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "4000" }],
        }),
      ),
      "ValidationError",
    );

    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: tg.TargetGroupArn,
        Targets: [{ Id: "i-local1", Port: 1 }],
      }),
    );
    const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
    expect(health.TargetHealthDescriptions?.[0]?.Target).toEqual({ Id: "i-local1", Port: 1 });
    expect(health.TargetHealthDescriptions?.[0]?.TargetHealth?.State).toBe("initial");
    await expectError(
      elb.send(
        new RegisterTargetsCommand({
          TargetGroupArn: tg.TargetGroupArn,
          Targets: [{ Id: "i-local1", Port: 65536 }],
        }),
      ),
      "ValidationError",
    );
    await expectError(
      elb.send(
        new DeregisterTargetsCommand({
          TargetGroupArn: tg.TargetGroupArn,
          Targets: [{ Id: "i-other", Port: 2 }],
        }),
      ),
      "InvalidTargetException",
    );
    await elb.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: tg.TargetGroupArn,
        Targets: [{ Id: "i-local1", Port: 1 }],
      }),
    );

    await elb.send(
      new AddTagsCommand({
        ResourceArns: [tg.TargetGroupArn!],
        Tags: [
          { Key: "a", Value: "1" },
          { Key: "b", Value: "2" },
        ],
      }),
    );
    await elb.send(new RemoveTagsCommand({ ResourceArns: [tg.TargetGroupArn!], TagKeys: ["a"] }));
    const tags = await elb.send(new DescribeTagsCommand({ ResourceArns: [tg.TargetGroupArn!] }));
    expect(tags.TagDescriptions?.[0]?.Tags).toEqual([{ Key: "b", Value: "2" }]);

    await elb.send(new ModifyListenerCommand({ ListenerArn: listener.ListenerArn, DefaultActions: forward }));
    const listeners = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
    expect(listeners.Listeners?.[0]?.DefaultActions?.[0]?.TargetGroupArn).toBe(tg.TargetGroupArn);
    await elb.send(new DeleteListenerCommand({ ListenerArn: listener.ListenerArn }));
    await expectError(
      elb.send(new DescribeListenersCommand({ ListenerArns: [listener.ListenerArn!] })),
      "ListenerNotFoundException",
    );
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn }));
    await expectError(
      elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tg.TargetGroupArn!] })),
      "TargetGroupNotFoundException",
    );
  }, 20_000);

  it("reads and validates load balancer attributes, and stops serving a deleted load balancer's ports", async () => {
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: "edge-c" }))).LoadBalancers![0]!;
    const attrs = await elb.send(
      new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lb.LoadBalancerArn }),
    );
    expect(attrs.Attributes).toContainEqual({ Key: "idle_timeout.timeout_seconds", Value: "60" });
    await expectError(
      elb.send(
        new ModifyLoadBalancerAttributesCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Attributes: [{ Key: "idle_timeout.timeout_seconds", Value: "0" }],
        }),
      ),
      "ValidationError",
    );
    const port = await freePort();
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Port: port,
        Protocol: "HTTP",
        DefaultActions: [
          { Type: "fixed-response", FixedResponseConfig: { StatusCode: "200", MessageBody: "up" } },
        ],
      }),
    );
    const live = await fetch(`http://127.0.0.1:${port}/`);
    expect([live.status, await live.text()]).toEqual([200, "up"]);
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
    await region.settled();
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });

  it("pages Describe results with PageSize and Marker, as the SDK paginators read them", async () => {
    for (const n of [1, 2, 3])
      await elb.send(new CreateTargetGroupCommand({ Name: `page-${n}`, Protocol: "HTTP", Port: 80 }));
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeTargetGroups({ client: elb }, { PageSize: 2 })) {
      pages++;
      names.push(...(page.TargetGroups ?? []).map((tg) => tg.TargetGroupName!));
    }
    expect(names.filter((n) => n.startsWith("page-")).sort()).toEqual(["page-1", "page-2", "page-3"]);
    expect(pages).toBe(Math.ceil(names.length / 2));
    await expectError(elb.send(new DescribeTargetGroupsCommand({ Marker: "bogus" })), "ValidationError");
  });
});
