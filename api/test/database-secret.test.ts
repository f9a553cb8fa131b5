import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, expect, it } from "vitest";
import { DatabaseSecret } from "../src/store/database-secret.js";

// The RDS-managed secret as the store reads it; Secrets Manager mocked (AWS itself).

const sm = mockClient(SecretsManagerClient);
const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1-AbCdEf";
const value = (password: string) => ({ SecretString: JSON.stringify({ username: "platform", password }) });

beforeEach(() => sm.reset());

it("reads the secret once, and again only after the server refused the password", async () => {
  sm.on(GetSecretValueCommand, { SecretId: ARN }).resolvesOnce(value("old")).resolves(value("rotated"));
  const secret = new DatabaseSecret(ARN, new SecretsManagerClient({ region: "eu-west-1" }));
  expect(await secret.credentials()).toEqual({ username: "platform", password: "old" });
  expect((await secret.credentials()).password).toBe("old");
  expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  secret.forget(); // what the store does on SQLSTATE 28P01
  expect((await secret.credentials()).password).toBe("rotated");
  expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
});

it("names the missing fields, never the value, and does not cache a failed read", async () => {
  sm.on(GetSecretValueCommand)
    .resolvesOnce({ SecretString: JSON.stringify({ password: "hunter2-not-printed" }) })
    .resolvesOnce({ SecretString: "not json hunter2" })
    .resolves(value("good"));
  const secret = new DatabaseSecret(ARN, new SecretsManagerClient({ region: "eu-west-1" }));
  const first = await secret.credentials().catch((e: Error) => e.message);
  expect(first).toMatch(/needs string fields username and password/);
  expect(first).not.toMatch(/hunter2/);
  await expect(secret.credentials()).rejects.toThrow(/SecretString is not JSON/);
  expect((await secret.credentials()).password).toBe("good");
});
