import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { deployPolicy } from "../src/deploy-role.js";
import { apiTaskPolicy, executionPolicy, ssmParameterArn } from "../src/iam.js";
import { checkPolicies } from "../src/invariants/iam.js";
import type { RecordedResource } from "../src/invariants/resources.js";
import { defineStack } from "../src/program.js";
import { lifecyclePolicy } from "../src/repository.js";
import { DEFAULT_SETTINGS } from "../src/settings.js";
import { findSpecFile } from "../src/spec-file.js";
import { planSubnets } from "../src/subnets.js";
import { ecsUserData } from "../src/user-data.js";
import { repositorySpec } from "./support/spec.js";

// The pure rules under the components: no Pulumi runtime involved.

const spec = repositorySpec();
const account = { partition: "aws", region: "eu-west-1", accountId: "123456789012" };

describe("subnet plan", () => {
  test("splits a /16 into /20s: public first, private in the upper half", () => {
    expect(planSubnets("10.40.0.0/16", 2)).toEqual({
      publicCidrs: ["10.40.0.0/20", "10.40.16.0/20"],
      privateCidrs: ["10.40.128.0/20", "10.40.144.0/20"],
    });
  });

  test("refuses a VPC too small to split, saying why", () => {
    expect(() => planSubnets("10.40.0.0/28", 2)).toThrow(
      "network.cidrBlock 10.40.0.0/28: need an IPv4 CIDR of /24 or larger",
    );
  });
});

describe("ECR lifecycle", () => {
  test("expires untagged images after a day and keeps the newest N, the catch-all rule last", () => {
    const { rules } = lifecyclePolicy(30) as {
      rules: { rulePriority: number; selection: Record<string, unknown> }[];
    };
    expect(rules.map((r) => [r.rulePriority, r.selection.tagStatus, r.selection.countNumber])).toEqual([
      [1, "untagged", 1],
      [2, "any", 30],
    ]);
  });
});

describe("IAM documents", () => {
  const asResource = (policy: object): RecordedResource => ({
    type: "aws:iam/rolePolicy:RolePolicy",
    name: "under-test",
    inputs: { policy: JSON.stringify(policy) },
    outputs: {},
    ignoreChanges: [],
  });

  test("the execution and API policies pass the least-privilege check", () => {
    const execution = executionPolicy({
      repositoryArns: ["arn:aws:ecr:eu-west-1:123456789012:repository/api-qa"],
      logGroupArns: ["arn:aws:logs:eu-west-1:123456789012:log-group:/platform/qa/api"],
      parameterArns: [ssmParameterArn(account, "/platform/qa/api/database-url")],
      secretArns: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:platform/qa/api/admin-key-AbCdEf"],
    });
    const api = apiTaskPolicy({
      bucketArn: "arn:aws:s3:::bucket",
      objectPrefix: "objects/",
      metricNamespace: "Platform/Transcoding",
      databaseSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds-AbCdEf",
    });
    expect(checkPolicies([asResource(execution), asResource(api)])).toEqual([]);
  });

  test("the CI deploy policy passes the least-privilege check", () => {
    const deploy = deployPolicy({
      account,
      clusterName: "platform",
      serviceNames: ["api-prod", "media-server-prod"],
      pushRepositoryArns: ["arn:aws:ecr:eu-west-1:123456789012:repository/api-prod"],
      pullRepositoryArns: ["arn:aws:ecr:eu-west-1:123456789012:repository/api-qa"],
      passRoleArns: ["arn:aws:iam::123456789012:role/api-prod-task"],
      logGroupArns: ["arn:aws:logs:eu-west-1:123456789012:log-group:/platform/prod/api"],
      secretArns: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:platform/prod/api/admin-key-AbCdEf"],
      checkSecret: {
        kind: "secretsManager",
        arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:platform/prod/api/admin-key-AbCdEf",
      },
      noticeTopicArns: ["arn:aws:sns:eu-west-1:123456789012:platform-alarm-emails-prod"],
    });
    expect(checkPolicies([asResource(deploy)])).toEqual([]);
    const read = deploy.Statement.find((s) => s.Sid === "ReadCheckSecret");
    expect([read?.Action, read?.Resource]).toEqual([
      ["secretsmanager:GetSecretValue"],
      ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:platform/prod/api/admin-key-AbCdEf"],
    ]);
    const sns = deploy.Statement.filter((s) => s.Action.some((a) => a.startsWith("sns:")));
    expect(sns.map((s) => [s.Action, s.Resource])).toEqual([
      [["sns:ListTopics"], ["*"]],
      [["sns:Publish"], ["arn:aws:sns:eu-west-1:123456789012:platform-alarm-emails-prod"]],
    ]);
  });

  test("an SSM parameter ARN keeps the parameter's leading slash after 'parameter'", () => {
    expect(ssmParameterArn(account, "/platform/qa/x")).toBe(
      "arn:aws:ssm:eu-west-1:123456789012:parameter/platform/qa/x",
    );
  });

  test("an execution policy without secrets grants no secret reads", () => {
    const doc = executionPolicy({
      repositoryArns: ["r"],
      logGroupArns: ["l"],
      parameterArns: [],
      secretArns: [],
    });
    expect(doc.Statement.map((s) => s.Sid)).toEqual(["EcrLogin", "PullOwnImages", "WriteOwnLogs"]);
  });
});

describe("instance user data", () => {
  test("joins the cluster with the agent's stop timeout and dynamic host port range set", () => {
    expect(ecsUserData("platform", 90, { from: 61000, to: 61511 }).split("\n")).toEqual([
      "#!/bin/bash",
      "set -euo pipefail",
      "cat >> /etc/ecs/ecs.config <<'CONFIG'",
      "ECS_CLUSTER=platform",
      "ECS_ENABLE_CONTAINER_METADATA=true",
      "ECS_CONTAINER_STOP_TIMEOUT=90s",
      "ECS_DYNAMIC_HOST_PORT_RANGE=61000-61511",
      "CONFIG",
      "",
    ]);
  });
});

describe("program entry", () => {
  test("an unknown stack name is refused with the names that exist", () => {
    expect(() => defineStack("staging", spec, { ...DEFAULT_SETTINGS, sharedStack: "o/p/shared" })).toThrow(
      'unknown stack "staging": this program has the stacks shared, qa, prod',
    );
  });

  test("finds env/platform.yaml above the program, and reports an explicit file that isn't there", () => {
    const root = mkdtempSync(join(tmpdir(), "infra-aws-"));
    mkdirSync(join(root, "env"));
    mkdirSync(join(root, "infra", "aws", "dist", "src"), { recursive: true });
    writeFileSync(join(root, "env", "platform.yaml"), "");
    const from = join(root, "infra", "aws", "dist", "src");
    expect(findSpecFile(undefined, from)).toBe(join(root, "env", "platform.yaml"));
    expect(() => findSpecFile("env/missing.yaml", from)).toThrow(
      `platform:specFile env/missing.yaml: no such file (looked at ${join(root, "env", "missing.yaml")})`,
    );
  });
});
