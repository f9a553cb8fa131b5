import {
  BatchGetImageCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
} from "@aws-sdk/client-ecr";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { type CommandRunner, dockerBuildAndPush } from "../../src/image/index.js";

// The AWS path can't run here (no Docker engine): the commands it would run are checked as argv.

const uri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api-qa";
const digest = `sha256:${"c".repeat(64)}`;

function ecrMock() {
  const client = new ECRClient({ region: "eu-west-1" });
  const mock = mockClient(client);
  mock
    .on(DescribeRepositoriesCommand)
    .resolves({ repositories: [{ repositoryName: "api-qa", repositoryUri: uri }] });
  mock.on(GetAuthorizationTokenCommand).resolves({
    authorizationData: [{ authorizationToken: Buffer.from("AWS:s3cr3t-pass").toString("base64") }],
  });
  mock
    .on(BatchGetImageCommand)
    .resolves({ images: [{ imageId: { imageDigest: digest }, imageManifest: "{}" }] });
  return client;
}

const input = {
  repoRoot: "/repo",
  app: "api",
  repositoryName: "api-qa",
  tag: "0123456789ab",
  version: "0.1.0",
  commit: "0123456789abcdef0123456789abcdef01234567",
  buildTime: "2026-11-22T08:00:00.000Z",
};

describe("dockerBuildAndPush", () => {
  it("logs in with the password on stdin, builds with the app's Dockerfile and build args, pushes, reads the digest", async () => {
    const calls: { command: string; args: string[]; stdin?: string; cwd: string }[] = [];
    const run: CommandRunner = async (command, args, options) => {
      calls.push({
        command,
        args,
        cwd: options.cwd,
        ...(options.stdin !== undefined && { stdin: options.stdin }),
      });
    };
    const result = await dockerBuildAndPush(ecrMock(), input, { run });
    expect(calls.map((c) => [c.command, c.args[0]])).toEqual([
      ["docker", "login"],
      ["docker", "build"],
      ["docker", "push"],
    ]);
    expect(calls[0]!.args).toEqual([
      "login",
      "--username",
      "AWS",
      "--password-stdin",
      "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
    ]);
    expect(calls[0]!.stdin).toBe("s3cr3t-pass");
    for (const call of calls) expect(call.args.join(" ")).not.toContain("s3cr3t-pass");
    expect(calls[1]!.args).toEqual([
      "build",
      "--platform",
      "linux/amd64",
      "--file",
      "api/Dockerfile",
      "--build-arg",
      "APP_VERSION=0.1.0",
      "--build-arg",
      `GIT_COMMIT=${input.commit}`,
      "--build-arg",
      "BUILD_TIME=2026-11-22T08:00:00.000Z",
      "--tag",
      `${uri}:0123456789ab`,
      ".",
    ]);
    expect(calls[1]!.cwd).toBe("/repo");
    expect(calls[2]!.args).toEqual(["push", `${uri}:0123456789ab`]);
    expect(result).toEqual({
      repositoryUri: uri,
      imageUri: `${uri}:0123456789ab`,
      pinnedUri: `${uri}@${digest}`,
      imageDigest: digest,
    });
  });

  it("stops at the first failing command", async () => {
    const seen: string[] = [];
    const run: CommandRunner = async (_command, args) => {
      seen.push(args[0]!);
      if (args[0] === "build") throw new Error("docker build exited with 1");
    };
    await expect(dockerBuildAndPush(ecrMock(), input, { run })).rejects.toThrow("docker build exited with 1");
    expect(seen).toEqual(["login", "build"]);
  });
});
