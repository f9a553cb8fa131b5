import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { DescribeParametersCommand, GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { loadSpec } from "../src/load.js";
import { AwsSecretLocator, runtimeConfig, secretsManagerValueFrom } from "../src/runtime-config.js";

const ssm = mockClient(SSMClient);
const secretsManager = mockClient(SecretsManagerClient);
const spec = loadSpec();
const PARAMETER_ARN = "arn:aws:ssm:eu-west-1:123456789012:parameter/platform/qa/api/database-url";
const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:platform/qa/api/admin-key-AbCdEf";

describe("the runtime configuration of a task definition", () => {
  beforeEach(() => {
    ssm.reset();
    secretsManager.reset();
  });

  it("gives the spec's settings and each secret's ARN, found by describe calls alone", async () => {
    ssm
      .on(DescribeParametersCommand)
      .resolves({ Parameters: [{ Name: "/platform/qa/api/database-url", ARN: PARAMETER_ARN }] });
    secretsManager
      .on(DescribeSecretCommand, { SecretId: "platform/qa/api/admin-key" })
      .resolves({ ARN: SECRET_ARN, Name: "platform/qa/api/admin-key" });
    const config = await runtimeConfig(
      spec,
      "qa",
      "api",
      new AwsSecretLocator(new SSMClient({}), new SecretsManagerClient({})),
    );
    expect(config).toEqual({
      service: "api-qa",
      environment: spec.environments.qa.services.api.environment,
      secrets: { DATABASE_URL: PARAMETER_ARN, API_ADMIN_KEY: SECRET_ARN },
    });
    expect(ssm.commandCalls(DescribeParametersCommand)[0]?.args[0].input).toEqual({
      ParameterFilters: [{ Key: "Name", Option: "Equals", Values: ["/platform/qa/api/database-url"] }],
    });
    // The pipeline's role never reads a value.
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it("names every missing secret in one error, with where it was looked for", async () => {
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
    secretsManager.on(DescribeSecretCommand).rejects(
      new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret.",
        $metadata: {},
      }),
    );
    const failed = await runtimeConfig(
      spec,
      "qa",
      "api",
      new AwsSecretLocator(new SSMClient({}), new SecretsManagerClient({})),
    ).catch((e: Error) => e);
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toBe(
      [
        "api-qa: the runtime configuration needs secrets that are not there:",
        "  DATABASE_URL (ssm:/platform/qa/api/database-url): no such SSM parameter",
        "  API_ADMIN_KEY (secretsmanager:platform/qa/api/admin-key): no such secret",
      ].join("\n"),
    );
  });

  it("refuses a secret that is scheduled for deletion (tasks could not start once it is gone)", async () => {
    ssm
      .on(DescribeParametersCommand)
      .resolves({ Parameters: [{ Name: "/platform/qa/api/database-url", ARN: PARAMETER_ARN }] });
    secretsManager.on(DescribeSecretCommand).resolves({ ARN: SECRET_ARN, DeletedDate: new Date() });
    await expect(
      runtimeConfig(spec, "qa", "api", new AwsSecretLocator(new SSMClient({}), new SecretsManagerClient({}))),
    ).rejects.toThrow(/API_ADMIN_KEY .*scheduled for deletion/);
  });

  it("a service without secrets needs no lookup", async () => {
    const locator = { locate: () => Promise.reject(new Error("must not be called")) };
    const withoutSecrets = structuredClone(spec);
    withoutSecrets.environments.prod.services["media-server"].secrets = {};
    const config = await runtimeConfig(withoutSecrets, "prod", "media-server", locator);
    expect(config.secrets).toEqual({});
    expect(config.service).toBe("media-server-prod");
  });

  it("a JSON key of a Secrets Manager secret uses ECS's arn:key:: form", () => {
    expect(secretsManagerValueFrom("arn:s", "password")).toBe("arn:s:password::");
    expect(secretsManagerValueFrom("arn:s")).toBe("arn:s");
  });
});
