import { CATCH_ALL_PRIORITY, routeRules, testRules } from "@platform/env";
import { beforeAll, describe, expect, test } from "vitest";
import { productionListenerRules } from "../src/invariants/edge.js";
import { checkInvariants, type InvariantContext } from "../src/invariants/index.js";
import { ofType, parseJson, type RecordedResource, TYPES } from "../src/invariants/resources.js";
import { FAKE_SECRET_VALUE } from "../src/testing/fake-aws.js";
import { runStack, type StackRun } from "../src/testing/run-stack.js";
import { withChange } from "./support/mutate.js";
import { repositorySpec } from "./support/spec.js";

const spec = repositorySpec();
let run: StackRun;
const named = (type: string, name: string): RecordedResource => {
  const found = run.resources.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} named ${name}`);
  return found;
};

beforeAll(async () => {
  run = await runStack("shared", spec);
});

describe("the shared stack", () => {
  test("holds every invariant", () => {
    expect(
      checkInvariants(run.resources, { spec, stack: "shared", secretValues: [FAKE_SECRET_VALUE] }),
    ).toEqual([]);
  });

  test("routes by the contract: qa host rules first, media paths, unique priorities", () => {
    const rules = productionListenerRules(run.resources).map((r) => Number(r.inputs.priority));
    expect(rules.sort((a, b) => a - b)).toEqual([
      ...routeRules(spec).map((r) => r.priority),
      CATCH_ALL_PRIORITY,
    ]);
    const qaMedia = named(TYPES.listenerRule, "platform-rule-10").inputs;
    expect(qaMedia.conditions).toEqual([
      { hostHeader: { values: ["qa.example.com"] } },
      { pathPattern: { values: ["/kurento", "/media/*"] } },
    ]);
  });

  test("mirrors each traffic-shifting service's rule on the test listener, weights on blue", () => {
    const test = named(TYPES.listener, "platform-test");
    expect(test.inputs).toMatchObject({ port: spec.testListener.port, protocol: "HTTPS" });
    const rules = ofType(run.resources, TYPES.listenerRule).filter(
      (r) => r.inputs.listenerArn === test.outputs.arn,
    );
    expect(rules.map((r) => Number(r.inputs.priority)).sort((a, b) => a - b)).toEqual(
      testRules(spec).map((r) => r.priority),
    );
    const apiQa = named(TYPES.listenerRule, "platform-test-rule-11");
    expect(apiQa.inputs.actions).toEqual([
      {
        type: "forward",
        forward: {
          targetGroups: [
            { arn: expect.stringContaining("targetgroup/api-qa/"), weight: 100 },
            { arn: expect.stringContaining("targetgroup/api-qa-green/"), weight: 0 },
          ],
        },
      },
    ]);
    expect(apiQa.ignoreChanges).toContain("actions");
  });

  test("lets ECS shift traffic with AWS's managed actions on this ALB's groups, listeners and rules only", () => {
    const policy = parseJson(named(TYPES.rolePolicy, "ecs-load-balancers").inputs.policy) as {
      Statement: { Action: string | string[]; Resource: string | string[] }[];
    };
    const byAction = Object.fromEntries(
      policy.Statement.flatMap((s) => [s.Action].flat().map((a) => [a, [s.Resource].flat()])),
    );
    expect(byAction["elasticloadbalancing:ModifyRule"]).toHaveLength(2 * testRules(spec).length);
    expect(byAction["elasticloadbalancing:ModifyListener"]).toHaveLength(2);
    expect(byAction["elasticloadbalancing:RegisterTargets"]).toContainEqual(
      expect.stringContaining("targetgroup/api-prod-green/"),
    );
    expect(parseJson(named("aws:iam/role:Role", "ecs-load-balancers").inputs.assumeRolePolicy)).toMatchObject(
      {
        Statement: [{ Principal: { Service: "ecs.amazonaws.com" } }],
      },
    );
  });

  test("opens the instances' narrow dynamic range to TCP from the ALB only and to UDP media from anywhere", () => {
    const ingress = named(TYPES.securityGroup, "platform-instances").inputs.ingress as Record<
      string,
      unknown
    >[];
    expect(ingress.map((r) => [r.protocol, r.fromPort, r.toPort, r.securityGroups ?? r.cidrBlocks])).toEqual([
      ["tcp", 61000, 61511, ["sg-platform-alb"]],
      ["udp", 61000, 61511, ["0.0.0.0/0"]],
    ]);
  });

  test("launches ECS-optimized instances that join the cluster with IMDSv2", () => {
    const template = named(TYPES.launchTemplate, "platform").inputs;
    expect(template.imageId).toBe("ami-0123456789abcdef0");
    const userData = Buffer.from(String(template.userData), "base64").toString();
    expect(userData).toContain("ECS_CLUSTER=platform");
    expect(userData).toContain("ECS_ENABLE_CONTAINER_METADATA=true");
    expect(userData).toContain("ECS_CONTAINER_STOP_TIMEOUT=90s");
    expect(userData).toContain("ECS_DYNAMIC_HOST_PORT_RANGE=61000-61511");
    // WebRTC on ECS gets its address from STUN, so containers never need IMDS (and the instance role).
    expect(template.metadataOptions).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 1 });
  });

  test("creates a VPC with public and private subnets when the spec names none", () => {
    expect(named("aws:ec2/vpc:Vpc", "platform").inputs.cidrBlock).toBe("10.40.0.0/16");
    const subnets = ofType(run.resources, "aws:ec2/subnet:Subnet").map((s) => s.inputs.cidrBlock);
    expect(subnets.sort()).toEqual(["10.40.0.0/20", "10.40.128.0/20", "10.40.144.0/20", "10.40.16.0/20"]);
  });

  test("outputs both environments' URLs and what the environment stacks read", () => {
    expect(run.outputs.urls).toEqual({ qa: "https://qa.example.com", prod: "https://example.com" });
    expect(run.outputs.clusterName).toBe("platform");
    expect(Object.keys(run.outputs.targetGroups as object).sort()).toEqual([
      "api-prod",
      "api-qa",
      "media-server-prod",
      "media-server-qa",
    ]);
    for (const key of [
      "vpcId",
      "privateSubnetIds",
      "clusterArn",
      "capacityProviderName",
      "instanceSecurityGroupId",
      "albArnSuffix",
    ]) {
      expect(run.outputs[key], key).toBeDefined();
    }
  });

  test("creates GitHub's OIDC provider for the environments' CI roles", () => {
    expect(
      named("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "github-actions").inputs,
    ).toMatchObject({
      url: "https://token.actions.githubusercontent.com",
      clientIdLists: ["sts.amazonaws.com"],
    });
  });

  test("gives the instances only AWS's ECS and SSM managed policies", () => {
    const attached = ofType(run.resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map(
      (a) => a.inputs.policyArn,
    );
    expect(attached.sort()).toEqual([
      "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
      "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
    ]);
    expect(parseJson(named("aws:iam/role:Role", "platform-instance").inputs.assumeRolePolicy)).toMatchObject({
      Statement: [{ Principal: { Service: "ec2.amazonaws.com" } }],
    });
  });
});

// Cases that each break one thing in the shared stack; the checker must say exactly what and why.

const ctx: InvariantContext = { spec, stack: "shared", secretValues: [FAKE_SECRET_VALUE] };
const is = (type: string, name: string) => (r: RecordedResource) => r.type === type && r.name === name;
const healthCheck = (r: RecordedResource) => r.inputs.healthCheck as Record<string, unknown>;

const cases: [string, (r: RecordedResource) => boolean, (r: RecordedResource) => void, string][] = [
  [
    "AWS's default health check interval",
    is(TYPES.targetGroup, "api-qa"),
    (r) => {
      healthCheck(r).interval = 30;
    },
    "target group api-qa: health check interval is 30 s; the spec says 5 s",
  ],
  [
    "AWS's default healthy threshold",
    is(TYPES.targetGroup, "api-prod"),
    (r) => {
      healthCheck(r).healthyThreshold = 5;
    },
    "target group api-prod: health check healthy threshold is 5; the spec says 2",
  ],
  [
    "a different health check path",
    is(TYPES.targetGroup, "media-server-prod"),
    (r) => {
      healthCheck(r).path = "/";
    },
    "target group media-server-prod: health check path is /; the spec says /media/healthz",
  ],
  [
    "AWS's default deregistration delay",
    is(TYPES.targetGroup, "api-qa"),
    (r) => {
      r.inputs.deregistrationDelay = 300;
    },
    "target group api-qa: deregistration delay is 300 s; the spec says 15 s",
  ],
  [
    "an IP target type",
    is(TYPES.targetGroup, "media-server-qa"),
    (r) => {
      r.inputs.targetType = "ip";
    },
    "target group media-server-qa: HTTP/ip; bridge-mode tasks need HTTP/instance",
  ],
  [
    "two rules at one priority",
    is(TYPES.listenerRule, "platform-rule-11"),
    (r) => {
      r.inputs.priority = 10;
    },
    "listener rules: priority 10 is used by platform-rule-10 and platform-rule-11; priorities must be unique",
  ],
  [
    "a qa rule for the wrong host",
    is(TYPES.listenerRule, "platform-rule-11"),
    (r) => {
      r.inputs.conditions = [{ hostHeader: { values: ["staging.example.com"] } }];
    },
    'listener rule platform-rule-11 (priority 11): host ["staging.example.com"] paths [] → api-qa; expected host qa.example.com → api-qa',
  ],
  [
    "media paths sent to the API",
    is(TYPES.listenerRule, "platform-rule-100"),
    (r) => {
      r.inputs.actions = [
        {
          type: "forward",
          targetGroupArn:
            "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api-prod/0123456789abcdef",
        },
      ];
    },
    'listener rule platform-rule-100 (priority 100): host [] paths ["/kurento","/media/*"] → api-prod; expected any host paths /kurento,/media/* → media-server-prod',
  ],
  [
    "SSH open on the ALB",
    is(TYPES.securityGroup, "platform-alb"),
    (r) => {
      (r.inputs.ingress as unknown[]).push({
        protocol: "tcp",
        fromPort: 22,
        toPort: 22,
        cidrBlocks: ["0.0.0.0/0"],
      });
    },
    "ALB security group platform-alb: ingress tcp 22-22 is open; only TCP 80 and 443 may be",
  ],
  [
    "task ports open to the internet",
    is(TYPES.securityGroup, "platform-instances"),
    (r) => {
      const [tcp] = r.inputs.ingress as Record<string, unknown>[];
      tcp!.cidrBlocks = ["0.0.0.0/0"];
    },
    "instance security group platform-instances: TCP 61000-61511 is open to 0.0.0.0/0, sg-platform-alb; TCP may come from the ALB security group only",
  ],
  [
    "an older TLS policy",
    is(TYPES.listener, "platform-https"),
    (r) => {
      r.inputs.sslPolicy = "ELBSecurityPolicy-2016-08";
    },
    "HTTPS listener: ssl policy is ELBSecurityPolicy-2016-08; it must be ELBSecurityPolicy-TLS13-1-2-2021-06",
  ],
  [
    "a temporary redirect to HTTPS",
    is(TYPES.listener, "platform-http"),
    (r) => {
      r.inputs.defaultActions = [
        { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_302" } },
      ];
    },
    "HTTP listener: port 80 must redirect to HTTPS 443 with a 301",
  ],
  [
    "unknown hosts sent to qa",
    is(TYPES.listener, "platform-https"),
    (r) => {
      r.inputs.defaultActions = [
        {
          type: "forward",
          targetGroupArn:
            "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api-qa/0123456789abcdef",
        },
      ];
    },
    "HTTPS listener: the default action must forward to target group api-prod",
  ],
  [
    "an alternate target group attached to no rule",
    (r) => r.type === TYPES.listenerRule && ["platform-rule-11", "platform-test-rule-11"].includes(r.name),
    (r) => {
      r.inputs.actions = [
        { type: "forward", targetGroupArn: named(TYPES.targetGroup, "api-qa").outputs.arn },
      ];
    },
    "target group api-qa-green: attached to no listener rule; ECS can't move api-qa's traffic to it",
  ],
  [
    "the test rule on the production listener",
    is(TYPES.listenerRule, "platform-test-rule-11"),
    (r) => {
      r.inputs.listenerArn = named(TYPES.listener, "platform-https").outputs.arn;
    },
    "service api-qa: its production and test rules are both on listener port 443; the test rule belongs on the test listener, or users get green before the test",
  ],
  [
    "pulumi up owning a rule's weights",
    is(TYPES.listenerRule, "platform-rule-11"),
    (r) => {
      r.ignoreChanges = [];
    },
    "listener rule platform-rule-11: ECS owns its weights; without ignoreChanges on actions `pulumi up` would undo a deployment's shift",
  ],
  [
    "the test listener open to the internet",
    is(TYPES.securityGroup, "platform-alb"),
    (r) => {
      const ingress = r.inputs.ingress as Record<string, unknown>[];
      const test = ingress.find((rule) => rule.fromPort === spec.testListener.port);
      if (test) test.cidrBlocks = ["0.0.0.0/0"];
    },
    "ALB security group platform-alb: the test listener port 9443 is open to 0.0.0.0/0; only the spec's testListener.allowedCidrs may reach it",
  ],
  [
    "IMDSv1 allowed",
    is(TYPES.launchTemplate, "platform"),
    (r) => {
      r.inputs.metadataOptions = { httpEndpoint: "enabled", httpTokens: "optional" };
    },
    'launch template platform: IMDSv2 is not required (metadataOptions.httpTokens must be "required")',
  ],
  [
    "no managed draining",
    is(TYPES.capacityProvider, "platform"),
    (r) => {
      (r.inputs.autoScalingGroupProvider as Record<string, unknown>).managedDraining = "DISABLED";
    },
    "capacity provider platform: managed draining is off",
  ],
];

describe("the checker names each broken invariant of the shared stack", () => {
  test.each(cases)("%s", (_what, match, change, message) => {
    const violations = checkInvariants(withChange(run.resources, match, change), ctx);
    expect(violations, violations.join("\n")).toContain(message);
  });
});
