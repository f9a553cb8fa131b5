import { rm } from "node:fs/promises";
import { InitiateLayerUploadCommand } from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CommandRunner, ImageError, publishAppImage, type Target } from "../../src/image/index.js";
import { fakeEcr } from "./fake-ecr.js";
import { cleanRevision, fixtureRepo } from "./fixture.js";

const local: Target = {
  kind: "local",
  endpoint: "http://127.0.0.1:4566",
  region: "eu-west-1",
  stateDir: "/x",
  credentialsFile: "/x/credentials",
  configFile: "/x/config",
  profile: "local",
};
const aws: Target = { kind: "aws", region: "eu-west-1", reason: "test" };
const buildTime = new Date("2026-11-22T08:00:00.000Z");

let root: string;
beforeAll(async () => {
  root = await fixtureRepo();
});
afterAll(async () => rm(root, { recursive: true, force: true }));

describe("publishAppImage", () => {
  it("builds and pushes under the commit tag, then reuses the pushed image for the same commit", async () => {
    const ecr = fakeEcr({ "fixture-app-qa": {} });
    const lines: string[] = [];
    const base = {
      repoRoot: root,
      app: "fixture-app",
      repositoryName: "fixture-app-qa",
      push: true,
      target: local,
    };
    const first = await publishAppImage({
      ...base,
      ecr: ecr.client,
      revision: cleanRevision,
      buildTime,
      log: (l) => lines.push(l),
    });
    expect(first).toMatchObject({
      tag: "0123456789ab",
      pushed: true,
      alreadyExisted: false,
      version: "3.2.1",
    });
    expect(ecr.state.get("fixture-app-qa")!.tags.get("0123456789ab")).toBe(first.imageDigest);
    expect(lines.some((l) => /^ {2}sha256:[0-9a-f]{12}… .* \/ .*/.test(l))).toBe(true);

    ecr.mock.resetHistory();
    const again = await publishAppImage({
      ...base,
      ecr: ecr.client,
      revision: cleanRevision,
      log: (l) => lines.push(l),
    });
    expect(again).toMatchObject({
      imageDigest: first.imageDigest,
      alreadyExisted: true,
      pinnedUri: first.pinnedUri,
    });
    expect(ecr.mock.commandCalls(InitiateLayerUploadCommand)).toHaveLength(0);
    expect(lines.at(-1)).toContain("is already pushed");
  }, 60_000);

  it("builds without pushing and needs no registry", async () => {
    const result = await publishAppImage({
      repoRoot: root,
      app: "fixture-app",
      push: false,
      target: local,
      revision: cleanRevision,
      buildTime,
      log: () => {},
    });
    expect(result).toMatchObject({ pushed: false, tag: "0123456789ab" });
    expect(result.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  }, 60_000);

  it("on AWS builds with docker, and refuses to tag a dirty tree with its commit", async () => {
    const ecr = fakeEcr({ "fixture-app-qa": {} });
    const calls: string[][] = [];
    const run: CommandRunner = async (_command, args) => {
      calls.push(args);
    };
    const base = {
      repoRoot: root,
      app: "fixture-app",
      repositoryName: "fixture-app-qa",
      push: true,
      target: aws,
      ecr: ecr.client,
      run,
      log: () => {},
    };
    const dirty = publishAppImage({ ...base, revision: { ...cleanRevision, dirty: true } });
    await expect(dirty).rejects.toBeInstanceOf(ImageError);
    await expect(dirty).rejects.toThrow("uncommitted changes");
    // The fake registry has no docker: the push "succeeds" but leaves no image, which must be noticed.
    await expect(publishAppImage({ ...base, revision: cleanRevision })).rejects.toThrow(
      /docker push reported success, but .* is not in ECR/,
    );
    expect(calls.map((a) => a[0])).toEqual(["login", "build", "push"]);
  }, 60_000);
});
