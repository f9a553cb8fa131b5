import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import {
  DeleteParameterCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  PutParameterCommand,
  paginateGetParametersByPath,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RegionPlugin, SecretValues } from "../src/contracts.js";
import { startTestRegion, type TestRegion } from "../src/testing/index.js";

let region: TestRegion;
let ssm: SSMClient;
let sm: SecretsManagerClient;
let secretValues: SecretValues;

const capture: RegionPlugin = {
  name: "capture",
  start: (services) => {
    secretValues = services.secrets;
  },
  stop: () => {},
};

beforeAll(async () => {
  region = await startTestRegion([capture]);
  ssm = region.client(SSMClient);
  sm = region.client(SecretsManagerClient);
});
afterAll(async () => {
  await region.cleanup();
});

async function errorName(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (e: { name?: string }) => e.name,
  );
}

describe("SSM Parameter Store", () => {
  it("puts, overwrites, reads with and without decryption, describes and deletes", async () => {
    expect(
      (
        await ssm.send(
          new PutParameterCommand({
            Name: "/platform/qa/api/database-url",
            Value: "sqlite:///qa.db",
            Type: "SecureString",
          }),
        )
      ).Version,
    ).toBe(1);
    expect(
      await errorName(
        ssm.send(
          new PutParameterCommand({
            Name: "/platform/qa/api/database-url",
            Value: "x",
            Type: "SecureString",
          }),
        ),
      ),
    ).toBe("ParameterAlreadyExists");
    expect(
      (
        await ssm.send(
          new PutParameterCommand({
            Name: "/platform/qa/api/database-url",
            Value: "sqlite:///qa2.db",
            Type: "SecureString",
            Overwrite: true,
          }),
        )
      ).Version,
    ).toBe(2);
    const hidden = await ssm.send(new GetParameterCommand({ Name: "/platform/qa/api/database-url" }));
    expect(hidden.Parameter?.Value).not.toContain("qa2");
    const shown = await ssm.send(
      new GetParameterCommand({ Name: "/platform/qa/api/database-url", WithDecryption: true }),
    );
    expect(shown.Parameter).toMatchObject({ Value: "sqlite:///qa2.db", Type: "SecureString", Version: 2 });
    expect(shown.Parameter?.ARN).toBe(
      "arn:aws:ssm:us-east-1:000000000000:parameter/platform/qa/api/database-url",
    );
    expect(shown.Parameter?.LastModifiedDate).toBeInstanceOf(Date);

    await ssm.send(new PutParameterCommand({ Name: "plain", Value: "v", Type: "String" }));
    const many = await ssm.send(new GetParametersCommand({ Names: ["plain", "/missing"] }));
    expect(many.Parameters?.map((p) => p.Value)).toEqual(["v"]);
    expect(many.InvalidParameters).toEqual(["/missing"]);
    const described = await ssm.send(
      new DescribeParametersCommand({
        ParameterFilters: [{ Key: "Name", Option: "BeginsWith", Values: ["/platform/"] }],
      }),
    );
    expect(described.Parameters?.map((p) => p.Name)).toEqual(["/platform/qa/api/database-url"]);

    expect(secretValues.resolve("/platform/qa/api/database-url")).toBe("sqlite:///qa2.db");
    expect(
      secretValues.resolve("arn:aws:ssm:eu-west-1:000000000000:parameter/platform/qa/api/database-url"),
    ).toBe("sqlite:///qa2.db");
    expect(secretValues.resolve("arn:aws:ssm:eu-west-1:000000000000:parameter/plain")).toBe("v");

    await ssm.send(new DeleteParameterCommand({ Name: "plain" }));
    expect(await errorName(ssm.send(new GetParameterCommand({ Name: "plain" })))).toBe("ParameterNotFound");
    expect(await errorName(ssm.send(new DeleteParameterCommand({ Name: "plain" })))).toBe(
      "ParameterNotFound",
    );
    expect(secretValues.resolve("plain")).toBeUndefined();
  });

  it("reads a hierarchy by path, recursively or one level", async () => {
    await ssm.send(new PutParameterCommand({ Name: "/tree/a", Value: "1", Type: "String" }));
    await ssm.send(new PutParameterCommand({ Name: "/tree/sub/b", Value: "2", Type: "SecureString" }));
    const flat = await ssm.send(new GetParametersByPathCommand({ Path: "/tree" }));
    expect(flat.Parameters?.map((p) => p.Name)).toEqual(["/tree/a"]);
    const deep = await ssm.send(
      new GetParametersByPathCommand({ Path: "/tree/", Recursive: true, WithDecryption: true }),
    );
    expect(deep.Parameters?.map((p) => [p.Name, p.Value])).toEqual([
      ["/tree/a", "1"],
      ["/tree/sub/b", "2"],
    ]);
  });

  it("pages a path ten parameters at a time by default", async () => {
    for (let i = 0; i < 12; i++)
      await ssm.send(new PutParameterCommand({ Name: `/many/p${i}`, Value: String(i), Type: "String" }));
    const sizes: number[] = [];
    for await (const page of paginateGetParametersByPath({ client: ssm }, { Path: "/many" }))
      sizes.push(page.Parameters?.length ?? 0);
    expect(sizes).toEqual([10, 2]);
  });

  it("refuses invalid names, types and empty values with ValidationException", async () => {
    expect(
      await errorName(ssm.send(new PutParameterCommand({ Name: "a b", Value: "v", Type: "String" }))),
    ).toBe("ValidationException");
    expect(
      await errorName(ssm.send(new PutParameterCommand({ Name: "a/b", Value: "v", Type: "String" }))),
    ).toBe("ValidationException");
    expect(
      await errorName(
        ssm.send(new PutParameterCommand({ Name: "/n", Value: "v", Type: "Number" as "String" })),
      ),
    ).toBe("ValidationException");
    expect(
      await errorName(
        ssm.send(new PutParameterCommand({ Name: "/n", Value: "x".repeat(4097), Type: "String" })),
      ),
    ).toBe("ValidationException");
  });
});

describe("Secrets Manager", () => {
  it("creates, reads, versions, describes and deletes secrets", async () => {
    const created = await sm.send(
      new CreateSecretCommand({
        Name: "platform/qa/api/admin-key",
        SecretString: JSON.stringify({ key: "k1", n: 2 }),
      }),
    );
    expect(created.ARN).toMatch(
      /^arn:aws:secretsmanager:us-east-1:000000000000:secret:platform\/qa\/api\/admin-key-[A-Za-z0-9]{6}$/,
    );
    expect(
      await errorName(
        sm.send(new CreateSecretCommand({ Name: "platform/qa/api/admin-key", SecretString: "x" })),
      ),
    ).toBe("ResourceExistsException");
    const got = await sm.send(new GetSecretValueCommand({ SecretId: created.ARN }));
    expect(got).toMatchObject({ Name: "platform/qa/api/admin-key", VersionStages: ["AWSCURRENT"] });
    expect(secretValues.resolve("platform/qa/api/admin-key")).toBe(JSON.stringify({ key: "k1", n: 2 }));
    expect(secretValues.resolve(`${created.ARN}:key::`)).toBe("k1");
    expect(secretValues.resolve("platform/qa/api/admin-key:n::")).toBe("2");

    const put = await sm.send(
      new PutSecretValueCommand({
        SecretId: "platform/qa/api/admin-key",
        SecretString: JSON.stringify({ key: "k2" }),
      }),
    );
    expect(put.VersionId).not.toBe(created.VersionId);
    expect(
      JSON.parse(
        (await sm.send(new GetSecretValueCommand({ SecretId: "platform/qa/api/admin-key" }))).SecretString!,
      ),
    ).toEqual({ key: "k2" });
    const previous = await sm.send(
      new GetSecretValueCommand({ SecretId: "platform/qa/api/admin-key", VersionStage: "AWSPREVIOUS" }),
    );
    expect(previous.VersionId).toBe(created.VersionId);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: "platform/qa/api/admin-key" }));
    expect(described.VersionIdsToStages?.[put.VersionId!]).toEqual(["AWSCURRENT"]);

    const listed = await sm.send(new ListSecretsCommand({}));
    expect(listed.SecretList?.map((x) => x.Name)).toContain("platform/qa/api/admin-key");
    const deleted = await sm.send(
      new DeleteSecretCommand({ SecretId: "platform/qa/api/admin-key", RecoveryWindowInDays: 7 }),
    );
    expect(deleted.DeletionDate).toBeInstanceOf(Date);
    expect(
      await errorName(sm.send(new GetSecretValueCommand({ SecretId: "platform/qa/api/admin-key" }))),
    ).toBe("InvalidRequestException");
    expect(secretValues.resolve("platform/qa/api/admin-key")).toBeUndefined();
    await sm.send(
      new DeleteSecretCommand({ SecretId: "platform/qa/api/admin-key", ForceDeleteWithoutRecovery: true }),
    );
    expect(
      await errorName(sm.send(new DescribeSecretCommand({ SecretId: "platform/qa/api/admin-key" }))),
    ).toBe("ResourceNotFoundException");
  });

  it("refuses bad input with Secrets Manager's codes", async () => {
    expect(await errorName(sm.send(new CreateSecretCommand({ Name: "bad name!", SecretString: "x" })))).toBe(
      "InvalidParameterException",
    );
    expect(await errorName(sm.send(new GetSecretValueCommand({ SecretId: "nope" })))).toBe(
      "ResourceNotFoundException",
    );
    await sm.send(new CreateSecretCommand({ Name: "s2", SecretString: "x" }));
    expect(
      await errorName(sm.send(new DeleteSecretCommand({ SecretId: "s2", RecoveryWindowInDays: 3 }))),
    ).toBe("InvalidParameterException");
    expect(
      await errorName(
        sm.send(
          new DeleteSecretCommand({
            SecretId: "s2",
            RecoveryWindowInDays: 7,
            ForceDeleteWithoutRecovery: true,
          }),
        ),
      ),
    ).toBe("InvalidParameterException");
  });
});
