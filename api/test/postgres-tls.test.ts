import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { startTestRegion, type TestRegion } from "@platform/local-region/testing";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DatabaseSecret } from "../src/store/database-secret.js";
import { openStore } from "../src/store/open.js";
import { startPostgres, type TestPostgres } from "./helpers/postgres.js";
import { api, startTestService } from "./helpers/service.js";

// RDS as the API meets it, on one machine: a PostgreSQL with ssl=on whose certificate is signed by a
// CA made here (standing in for the RDS global bundle), SCRAM passwords on TCP, and the credentials
// in the local region's Secrets Manager, rotated while the store stays open.

let dir: string;
let server: TestPostgres;
let region: TestRegion;
let secretArn: string;
let sm: SecretsManagerClient;

const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });

/** A CA, and a server certificate for 127.0.0.1 signed by it (verify-full checks the IP SAN). */
function makeCertificates() {
  for (const ca of ["ca", "other-ca"])
    openssl([
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      `/CN=test ${ca}`,
      "-keyout",
      `${ca}.key`,
      "-out",
      `${ca}.pem`,
    ]);
  openssl([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
  ]);
  writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
  openssl([
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "san.ext",
    "-out",
    "server.crt",
  ]);
}

/** Superuser statements over the Unix socket, which needs neither TLS nor a password. */
async function asSuperuser(sql: string): Promise<void> {
  const client = new pg.Client({
    host: server.socketDir,
    port: server.port,
    user: "postgres",
    database: "postgres",
  });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const target = (secret: DatabaseSecret, caFile: string) => ({
  host: "127.0.0.1",
  port: server.port,
  database: "transcoding",
  secret,
  caFile,
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "api-pg-tls-"));
  makeCertificates();
  server = await startPostgres({ certFile: join(dir, "server.crt"), keyFile: join(dir, "server.key") });
  await asSuperuser("CREATE ROLE app LOGIN PASSWORD 'first-password'");
  await asSuperuser("CREATE DATABASE transcoding OWNER app");
  region = await startTestRegion();
  sm = region.client(SecretsManagerClient);
  const created = await sm.send(
    new CreateSecretCommand({
      Name: "rds-db-test",
      SecretString: JSON.stringify({ username: "app", password: "first-password" }),
    }),
  );
  secretArn = created.ARN as string;
}, 90_000);

afterAll(async () => {
  await region?.cleanup();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it("connects verify-full with the CA file and the secret's credentials, and reconnects after rotation", async () => {
  const secret = new DatabaseSecret(secretArn, sm);
  const store = await openStore(target(secret, join(dir, "ca.pem")));
  try {
    // pg_hba allows TCP only as hostssl with SCRAM: this answer proves TLS and the secret's password.
    expect(await store.listKeys()).toEqual([]);
    expect(secret.reads).toBe(1);

    // Rotation as RDS does it: the role's password changes, then the secret's AWSCURRENT version.
    await asSuperuser("ALTER ROLE app PASSWORD 'second-password'");
    await sm.send(
      new PutSecretValueCommand({
        SecretId: secretArn,
        SecretString: JSON.stringify({ username: "app", password: "second-password" }),
      }),
    );
    // The pool's open connections stay authenticated; drop them so the next query must log in again.
    await asSuperuser("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'app'");
    await store.addKey({ id: "k1", userid: "alice", hash: "h".repeat(64), admin: false }, Date.now());
    expect((await store.listKeys()).map((k) => k.id)).toEqual(["k1"]);
    expect(secret.reads).toBe(2);
  } finally {
    await store.close();
  }
}, 60_000);

it("refuses a server whose certificate the CA file did not sign, saying so", async () => {
  const secret = new DatabaseSecret(secretArn, sm);
  await expect(openStore(target(secret, join(dir, "other-ca.pem")))).rejects.toThrow(
    /PostgreSQL TLS: the server's certificate was not accepted with the CA bundle .*other-ca\.pem \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)/,
  );
}, 60_000);

it("refuses a name the certificate does not carry (verify-full, not just verify-ca)", async () => {
  const secret = new DatabaseSecret(secretArn, sm);
  await expect(openStore({ ...target(secret, join(dir, "ca.pem")), host: "localhost" })).rejects.toThrow(
    /not accepted .*ERR_TLS_CERT_ALTNAME_INVALID/,
  );
}, 60_000);

it("boots the service from what infra/aws passes, the secret winning over a DATABASE_URL", async () => {
  // The SDK's standard configuration, as on ECS (this file runs in its own worker process).
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: region.endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: region.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: region.credentials.secretAccessKey,
  });
  const svc = await startTestService({
    DATABASE_HOST: "127.0.0.1",
    DATABASE_PORT: String(server.port),
    DATABASE_NAME: "transcoding",
    DATABASE_SECRET_ARN: secretArn,
    DATABASE_CA_FILE: join(dir, "ca.pem"),
    CLOUDWATCH_METRICS: "0",
    API_ADMIN_KEY: "admin-key-for-the-rds-test",
  });
  try {
    expect(svc.env.DATABASE_URL).toMatch(/^sqlite:/);
    expect(svc.service.store.kind).toBe("postgres");
    const response = await api(svc.url, "admin-key-for-the-rds-test").get("/api/v1/jobs");
    expect(response.status).toBe(200);
  } finally {
    await svc.stop();
  }
}, 60_000);
