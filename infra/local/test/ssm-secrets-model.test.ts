import { describe, expect, it } from "vitest";
import { emptySecretsState, SecretsModel } from "../src/services/secrets-manager/model.js";
import { LocalSecretValues } from "../src/services/secrets-manager/secret-values.js";
import { emptySsmState, SsmModel } from "../src/services/ssm/model.js";
import { codeOf } from "./aws-error.js";

// SSM's and Secrets Manager's rules on plain state, with a clock the test moves: no wire, no disk.

const scope = { region: "us-east-1", accountId: "000000000000" };
const TOKEN_1 = "11111111-1111-1111-1111-111111111111";
const TOKEN_2 = "22222222-2222-2222-2222-222222222222";

function models() {
  const clock = { now: new Date("2026-06-01T00:00:00Z") };
  const ssm = new SsmModel(emptySsmState(), () => clock.now);
  const secrets = new SecretsModel(emptySecretsState(), () => clock.now);
  return { ssm, secrets, clock, values: new LocalSecretValues(ssm, secrets) };
}

describe("SSM model", () => {
  it("versions a parameter on overwrite and keeps its type and description", () => {
    const { ssm, clock } = models();
    ssm.put({ name: "/app/url", value: "a", type: "SecureString", overwrite: false, description: "d" });
    expect(codeOf(() => ssm.put({ name: "/app/url", value: "b", overwrite: false }))).toBe(
      "ParameterAlreadyExists",
    );
    clock.now = new Date("2026-06-02T00:00:00Z");
    const second = ssm.put({ name: "/app/url", value: "b", overwrite: true });
    expect(second).toMatchObject({
      version: 2,
      type: "SecureString",
      description: "d",
      lastModified: "2026-06-02T00:00:00.000Z",
    });
    expect(ssm.find("/app/url:2")?.value).toBe("b");
    expect(ssm.find("/app/url:1")).toBeUndefined();
    expect(codeOf(() => ssm.get("/missing"))).toBe("ParameterNotFound");
  });

  it("refuses names, values and types SSM refuses", () => {
    const { ssm } = models();
    const put =
      (name: string, value = "v", type = "String") =>
      () =>
        ssm.put({ name, value, type, overwrite: false });
    expect(codeOf(put("/aws/reserved"))).toBe("ValidationException");
    expect(codeOf(put("no/leading/slash"))).toBe("ValidationException");
    expect(codeOf(put("/bad name"))).toBe("ValidationException");
    expect(codeOf(put("/ok", ""))).toBe("ValidationException");
    expect(codeOf(put("/ok", "v", "Number"))).toBe("ValidationException");
    expect(codeOf(() => ssm.put({ name: "/ok", value: "v", overwrite: false }))).toBe("ValidationException");
  });

  it("lists by path (one level or recursively) and by filters", () => {
    const { ssm } = models();
    for (const name of ["/a/x", "/a/b/y", "/c/z"])
      ssm.put({ name, value: "v", type: "String", overwrite: false });
    ssm.put({ name: "/a/s", value: "v", type: "SecureString", overwrite: false });
    expect(ssm.byPath("/a", false).map((p) => p.name)).toEqual(["/a/x", "/a/s"]);
    expect(ssm.byPath("/a/", true).map((p) => p.name)).toEqual(["/a/x", "/a/b/y", "/a/s"]);
    expect(codeOf(() => ssm.byPath("a", true))).toBe("ValidationException");
    const secure = ssm.list([{ key: "Type", option: "Equals", values: ["SecureString"] }]);
    expect(secure.map((p) => p.name)).toEqual(["/a/s"]);
    expect(ssm.list([{ key: "Name", option: "BeginsWith", values: ["/c"] }]).map((p) => p.name)).toEqual([
      "/c/z",
    ]);
    expect(codeOf(() => ssm.list([{ key: "Tier", option: "Equals", values: ["x"] }]))).toBe(
      "ValidationException",
    );
    ssm.delete("/c/z");
    expect(codeOf(() => ssm.delete("/c/z"))).toBe("ParameterNotFound");
  });
});

describe("Secrets Manager model", () => {
  it("moves AWSCURRENT to each new version, AWSPREVIOUS to the one before, and drops older ones", () => {
    const { secrets } = models();
    const secret = secrets.create(scope, { name: "db", secretString: "one", clientRequestToken: TOKEN_1 });
    expect(secret.arn).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:db-[A-Za-z0-9]{6}$/);
    secrets.putValue("db", { secretString: "two", clientRequestToken: TOKEN_2 });
    secrets.putValue("db", { secretString: "three" });
    expect(secret.versions.map((v) => [v.secretString, v.stages])).toEqual([
      ["two", ["AWSPREVIOUS"]],
      ["three", ["AWSCURRENT"]],
    ]);
    expect(secrets.version(secret, { stage: "AWSPREVIOUS" }).secretString).toBe("two");
    expect(secrets.version(secret, {}).secretString).toBe("three");
    expect(secrets.find(secret.arn.replace(/-[A-Za-z0-9]{6}$/, ""))).toBe(secret);
  });

  it("is idempotent on a request token with the same value, and refuses one with another", () => {
    const { secrets } = models();
    secrets.create(scope, { name: "db", secretString: "one", clientRequestToken: TOKEN_1 });
    const again = secrets.putValue("db", { secretString: "one", clientRequestToken: TOKEN_1 });
    expect(again.version.stages).toEqual(["AWSCURRENT"]);
    expect(codeOf(() => secrets.putValue("db", { secretString: "x", clientRequestToken: TOKEN_1 }))).toBe(
      "ResourceExistsException",
    );
    expect(codeOf(() => secrets.putValue("db", { secretString: "x", clientRequestToken: "short" }))).toBe(
      "ValidationException",
    );
    expect(codeOf(() => secrets.putValue("db", {}))).toBe("InvalidParameterException");
    expect(codeOf(() => secrets.create(scope, { name: "db" }))).toBe("ResourceExistsException");
  });

  it("schedules deletion after the recovery window by its clock, or deletes at once when forced", () => {
    const { secrets, values } = models();
    secrets.create(scope, { name: "a", secretString: "x" });
    secrets.create(scope, { name: "b", secretString: JSON.stringify({ password: "p" }) });
    expect(values.resolve("b:password::")).toBe("p");
    const { deletionDate } = secrets.delete("a", { force: false, recoveryWindowDays: 7 });
    expect(deletionDate.toISOString()).toBe("2026-06-08T00:00:00.000Z");
    expect(codeOf(() => secrets.live("a"))).toBe("InvalidRequestException");
    expect(values.resolve("a")).toBeUndefined();
    expect(secrets.list().map((s) => s.name)).toEqual(["b"]);
    expect(codeOf(() => secrets.delete("b", { force: true, recoveryWindowDays: 7 }))).toBe(
      "InvalidParameterException",
    );
    secrets.delete("b", { force: true });
    expect(codeOf(() => secrets.get("b"))).toBe("ResourceNotFoundException");
  });
});
