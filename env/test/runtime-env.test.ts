import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetParameterCommand, ParameterNotFound, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { loadSpec } from "../src/load.js";
import {
  AwsSecretResolver,
  buildRuntimeEnv,
  formatEnvFile,
  maskedEnv,
  writeEnvFile,
} from "../src/runtime-env.js";

const ssm = mockClient(SSMClient);
const secretsManager = mockClient(SecretsManagerClient);
const qaApi = loadSpec().environments.qa.services.api;

describe("runtime env generation", () => {
  beforeEach(() => {
    ssm.reset();
    secretsManager.reset();
  });

  it("resolves SSM and Secrets Manager references and keeps plain variables", async () => {
    ssm.on(GetParameterCommand, { Name: "/platform/qa/api/database-url", WithDecryption: true }).resolves({
      Parameter: { Value: "postgres://app:s3cr3t@db:5432/jobs" },
    });
    secretsManager
      .on(GetSecretValueCommand, { SecretId: "platform/qa/api/admin-key" })
      .resolves({ SecretString: "adm-123" });

    const env = await buildRuntimeEnv(
      qaApi,
      new AwsSecretResolver(new SSMClient({}), new SecretsManagerClient({})),
    );

    expect(env.values).toEqual({
      ROLE: "all",
      LOG_LEVEL: "debug",
      SCHEDULING: "sjf",
      DATABASE_URL: "postgres://app:s3cr3t@db:5432/jobs",
      API_ADMIN_KEY: "adm-123",
    });
    expect(maskedEnv(env)).toMatchObject({ DATABASE_URL: "****", API_ADMIN_KEY: "****", ROLE: "all" });
  });

  it("names every secret it could not resolve, and no value", async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: "not found", $metadata: {} }));
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: "adm-123" });
    const resolver = new AwsSecretResolver(new SSMClient({}), new SecretsManagerClient({}));

    await expect(buildRuntimeEnv(qaApi, resolver)).rejects.toThrow(
      /DATABASE_URL \(ssm:\/platform\/qa\/api\/database-url\): not found/,
    );
  });

  it("writes a 0600 dotenv file whose quoting survives newlines and quotes", () => {
    const file = join(mkdtempSync(join(tmpdir(), "env-")), "api.env");
    writeEnvFile(file, { values: { B: 'say "hi"\nnext', A: "x#y" }, secretNames: ["B"] });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8")).toBe(formatEnvFile({ A: "x#y", B: 'say "hi"\nnext' }));
    expect(readFileSync(file, "utf8")).toBe('A="x#y"\nB="say \\"hi\\"\\nnext"\n');
  });
});
