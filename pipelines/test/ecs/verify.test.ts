import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeTargetGroupsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { DescribeParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { apiContainer, awsError, REPO_HOST, runEcs, standardWorld, type World } from "./fake-aws.js";

let world: World | undefined;
const iam = mockClient(IAMClient);
const ssm = mockClient(SSMClient);
afterEach(() => {
  world?.restore();
  iam.reset();
  ssm.reset();
});

function verifiableWorld(container = apiContainer()) {
  const std = standardWorld({
    ...container,
    secrets: [
      {
        name: "DATABASE_URL",
        valueFrom: "arn:aws:ssm:eu-west-1:123456789012:parameter/platform/qa/api/database-url",
      },
    ],
  });
  world = std.world;
  const revision = world.revisions.get(std.service.service.taskDefinition!)!;
  revision.taskDefinition.executionRoleArn = "arn:aws:iam::123456789012:role/platform-exec";
  world.logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: "/platform/api-qa" }] });
  world.elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn: "tg" }] });
  iam.on(GetRoleCommand).resolves({ Role: { RoleName: "platform-exec" } as never });
  ssm.on(DescribeParametersCommand).resolves({ Parameters: [{ Name: "/platform/qa/api/database-url" }] });
  return std;
}

describe("ecs verify", () => {
  it("passes when images, roles, log group, target group port and secrets all exist", async () => {
    verifiableWorld();
    const run = await runEcs(world!, ["verify", "platform", "api-qa"]);
    expect(run.exitCode).toBe(0);
    for (const kind of ["image", "role", "log-group", "target-group", "secret"])
      expect(run.text).toMatch(new RegExp(`OK\\s+${kind} `));
    expect(ssm.commandCalls(DescribeParametersCommand)[0]?.args[0].input).toEqual({
      ParameterFilters: [{ Key: "Name", Option: "Equals", Values: ["/platform/qa/api/database-url"] }],
    });
  });

  it("fails on each missing piece, naming it, and changes nothing", async () => {
    verifiableWorld(apiContainer({ image: `${REPO_HOST}/api-qa:never-pushed` }));
    world!.revisions.forEach((r) => {
      r.tags = [];
    });
    iam
      .on(GetRoleCommand)
      .rejects(awsError("NoSuchEntity", "The role with name platform-exec cannot be found."));
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
    world!.logs
      .on(DescribeLogGroupsCommand)
      .resolves({ logGroups: [{ logGroupName: "/platform/api-qa-old" }] });
    world!.services.get("api-qa")!.service.loadBalancers![0]!.containerPort = 8080;
    const run = await runEcs(world!, ["verify", "platform", "api-qa", "--json"]);
    expect(run.exitCode).toBe(1);
    const report = JSON.parse(run.out.join("\n"));
    const failed = report.checks
      .filter((c: { status: string }) => c.status === "failed")
      .map((c: { kind: string; detail: string }) => `${c.kind}: ${c.detail}`);
    expect(failed).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^image: .*never-pushed.* was never pushed to ECR repository api-qa/),
        expect.stringMatching(/^role: does not exist \(NoSuchEntity\)/),
        expect.stringMatching(/^log-group: log group does not exist/),
        expect.stringMatching(/^target-group: container api maps ports \[3000\], not 8080/),
        expect.stringMatching(/^secret: SSM parameter \/platform\/qa\/api\/database-url does not exist/),
      ]),
    );
    expect(world!.calls("RegisterTaskDefinition")).toEqual([]);
    expect(world!.calls("UpdateService")).toEqual([]);
  });
});
