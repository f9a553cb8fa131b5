import type { EnvironmentName } from "@platform/env";
import { beforeAll, describe, expect, test } from "vitest";
import { checkInvariants } from "../../src/invariants/index.js";
import { obj, ofType, parseJson, TYPES } from "../../src/invariants/resources.js";
import { FAKE_SECRET_VALUE, fakeSharedOutputs } from "../../src/testing/fake-aws.js";
import { runStack, type StackRun } from "../../src/testing/run-stack.js";
import { repositorySpec } from "./spec.js";

/** The checks every environment stack gets; a test file per environment, since each is its own process. */
export function environmentSuite(env: EnvironmentName): () => StackRun {
  const spec = repositorySpec();
  let run: StackRun;

  beforeAll(async () => {
    run = await runStack(env, spec);
  });

  describe(`the ${env} stack`, () => {
    test("holds every invariant", () => {
      const violations = checkInvariants(run.resources, {
        spec,
        stack: env,
        secretValues: [FAKE_SECRET_VALUE],
        instanceSecurityGroupId: String(fakeSharedOutputs().instanceSecurityGroupId),
      });
      expect(violations).toEqual([]);
    });

    test("reads the shared stack by its fully qualified name", () => {
      const refs = ofType(run.resources, "pulumi:pulumi:StackReference");
      expect(refs.map((r) => r.inputs.name)).toEqual(["organization/platform/shared"]);
    });

    test("outputs its URL, repositories, cluster and service names, and alarm topic", () => {
      const host = spec.environments[env].hostPrefix;
      expect(run.outputs.url).toBe(`https://${host ? `${host}.` : ""}example.com`);
      expect(run.outputs.clusterName).toBe("platform");
      expect(run.outputs.serviceNames).toEqual({ api: `api-${env}`, "media-server": `media-server-${env}` });
      expect(run.outputs.repositoryUrls).toEqual({
        api: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/api-${env}`,
        "media-server": `123456789012.dkr.ecr.eu-west-1.amazonaws.com/media-server-${env}`,
      });
      expect(run.outputs.alarmTopicArn).toMatch(/^arn:aws:sns:/);
    });

    test("passes secrets as ARNs ECS resolves at task start, never as values", () => {
      const api = ofType(run.resources, TYPES.taskDefinition).find((t) => t.inputs.family === `api-${env}`);
      const [container] = parseJson(api?.inputs.containerDefinitions) as Record<string, unknown>[];
      expect(container?.secrets).toEqual([
        {
          name: "API_ADMIN_KEY",
          valueFrom: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:platform/${env}/api/admin-key-AbCdEf`,
        },
        {
          name: "DATABASE_URL",
          valueFrom: `arn:aws:ssm:eu-west-1:123456789012:parameter/platform/${env}/api/database-url`,
        },
      ]);
      expect(JSON.stringify(run.resources.map((r) => r.inputs))).not.toContain(FAKE_SECRET_VALUE);
    });

    test("lets each execution role read only its own service's secrets", () => {
      const policy = ofType(run.resources, TYPES.rolePolicy).find(
        (p) => p.name === `media-server-${env}-execution`,
      );
      const statements = (obj(parseJson(policy?.inputs.policy)).Statement ?? []) as Record<string, unknown>[];
      const resources = statements.flatMap((s) => s.Resource as string[]);
      expect(resources).toContain(
        `arn:aws:ssm:eu-west-1:123456789012:parameter/platform/${env}/media-server/turn-password`,
      );
      expect(resources.filter((r) => r.includes("/api/"))).toEqual([]);
    });

    test("gives the media server's task role no permissions at all", () => {
      expect(ofType(run.resources, TYPES.rolePolicy).map((p) => p.name)).not.toContain(
        `media-server-${env}-task`,
      );
    });

    test("lets CI of this repository and GitHub environment deploy, and promote from the environment before", () => {
      expect(run.outputs.deployRoleArn).toMatch(/^arn:aws:iam:/);
      const role = ofType(run.resources, "aws:iam/role:Role").find((r) => r.name === `deploy-${env}`);
      expect(parseJson(role?.inputs.assumeRolePolicy)).toMatchObject({
        Statement: [
          {
            Principal: {
              Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
            },
            Condition: {
              StringEquals: {
                "token.actions.githubusercontent.com:sub": `repo:acme/platform:environment:${env}`,
              },
            },
          },
        ],
      });
      const policy = ofType(run.resources, TYPES.rolePolicy).find((p) => p.name === `deploy-${env}`);
      const statements = (obj(parseJson(policy?.inputs.policy)).Statement ?? []) as Record<string, unknown>[];
      const pulls = statements.find((s) => s.Sid === "PullPromotedImages")?.Resource;
      expect(pulls).toEqual(
        env === "prod"
          ? [
              "arn:aws:ecr:eu-west-1:123456789012:repository/api-qa",
              "arn:aws:ecr:eu-west-1:123456789012:repository/media-server-qa",
            ]
          : undefined,
      );
      const deploys = statements.find((s) => s.Sid === "DeployOwnServices")?.Resource;
      expect(deploys).toEqual([
        `arn:aws:ecs:eu-west-1:123456789012:service/platform/api-${env}`,
        `arn:aws:ecs:eu-west-1:123456789012:service/platform/media-server-${env}`,
      ]);
    });

    test("scales the API on its queue backlog and CPU, the media server on CPU", () => {
      const policies = ofType(run.resources, TYPES.scalingPolicy)
        .map((p) => p.name)
        .sort();
      expect(policies).toEqual([`api-${env}-backlog`, `api-${env}-cpu`, `media-server-${env}-cpu`]);
    });
  });

  return () => run;
}
