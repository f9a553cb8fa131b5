import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { awsEnvironment, describeTarget, ImageError, resolveTarget } from "../../src/image/index.js";

const defaults = { repoRoot: "/repo", region: "eu-west-1", localPort: 4566 };

describe("resolveTarget", () => {
  it("is the local region when nothing points anywhere", () => {
    expect(resolveTarget(undefined, defaults, {})).toEqual({
      kind: "local",
      endpoint: "http://127.0.0.1:4566",
      region: "eu-west-1",
      stateDir: "/repo/.local-region",
      credentialsFile: "/repo/.local-region/credentials",
      configFile: "/repo/.local-region/config",
      profile: "local",
    });
  });

  it("is AWS when AWS credentials are configured, and says which setting decided", () => {
    const target = resolveTarget(undefined, defaults, { AWS_PROFILE: "ci", AWS_REGION: "us-east-1" });
    expect(target).toEqual({ kind: "aws", region: "us-east-1", reason: "AWS_PROFILE is set" });
    expect(describeTarget(target)).toBe("AWS us-east-1 (AWS_PROFILE is set)");
  });

  it("stays local when the configured endpoint is the loopback region", () => {
    const target = resolveTarget(undefined, defaults, {
      AWS_ACCESS_KEY_ID: "x",
      AWS_ENDPOINT_URL: "http://127.0.0.1:5566",
    });
    expect(target).toMatchObject({ kind: "local", endpoint: "http://127.0.0.1:5566" });
  });

  it("obeys --target over PLATFORM_TARGET over the environment, and rejects other values", () => {
    expect(resolveTarget("local", defaults, { AWS_PROFILE: "ci" }).kind).toBe("local");
    expect(resolveTarget(undefined, defaults, { PLATFORM_TARGET: "aws" })).toMatchObject({
      kind: "aws",
      reason: "target aws",
    });
    expect(() => resolveTarget("prod", defaults, {})).toThrow(ImageError);
    expect(() => resolveTarget("prod", defaults, {})).toThrow('target "prod" is not one of: local, aws');
  });
});

describe("awsEnvironment", () => {
  it("points child tools at the local region's profile, files and endpoint", async () => {
    const dir = await mkdtemp(join(tmpdir(), "target-"));
    try {
      await writeFile(
        join(dir, "credentials"),
        "[local]\naws_access_key_id = A\naws_secret_access_key = B\n",
      );
      const target = resolveTarget(
        undefined,
        { ...defaults, repoRoot: dir },
        { LOCAL_REGION_STATE_DIR: dir },
      );
      expect(awsEnvironment(target)).toEqual({
        AWS_REGION: "eu-west-1",
        AWS_PROFILE: "local",
        AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
        AWS_CONFIG_FILE: join(dir, "config"),
        AWS_ENDPOINT_URL: "http://127.0.0.1:4566",
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("tells the user to start the local region when it has no credentials yet", () => {
    const target = resolveTarget(undefined, { ...defaults, repoRoot: "/nonexistent" }, {});
    expect(() => awsEnvironment(target)).toThrow(/has no credentials yet .* start it with npm start/);
  });
});
