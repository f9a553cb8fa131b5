import { spawn } from "node:child_process";
import { type ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { ecrCall, repositoryUri, taggedDigest } from "@platform/image-format";
import { ImageError } from "./errors.js";

// The AWS path: `docker build` with the app's Dockerfile and `docker push` to ECR, as a team
// without this tool would do it. Every command is an argv array; the registry password goes to
// `docker login` on stdin, never on a command line.

export type CommandRunner = (
  command: string,
  args: string[],
  options: { cwd: string; stdin?: string; onLine?: (line: string) => void },
) => Promise<void>;

export interface DockerBuildInput {
  repoRoot: string;
  app: string;
  repositoryName: string;
  tag: string;
  version: string;
  commit: string;
  buildTime: string;
}

export function dockerBuildArgs(input: DockerBuildInput, imageUri: string): string[] {
  return [
    "build",
    "--platform",
    "linux/amd64",
    "--file",
    `${input.app}/Dockerfile`,
    "--build-arg",
    `APP_VERSION=${input.version}`,
    "--build-arg",
    `GIT_COMMIT=${input.commit}`,
    "--build-arg",
    `BUILD_TIME=${input.buildTime}`,
    "--tag",
    imageUri,
    ".",
  ];
}

export interface DockerPushResult {
  repositoryUri: string;
  imageUri: string;
  pinnedUri: string;
  imageDigest: string;
}

export async function dockerBuildAndPush(
  ecr: ECRClient,
  input: DockerBuildInput,
  options: { run?: CommandRunner; onLine?: (line: string) => void } = {},
): Promise<DockerPushResult> {
  const run = options.run ?? spawnRunner;
  const uri = await repositoryUri(ecr, input.repositoryName);
  const imageUri = `${uri}:${input.tag}`;
  const registry = uri.split("/")[0]!;
  const password = await registryPassword(ecr);
  const onLine = options.onLine;
  const cwd = input.repoRoot;
  await run("docker", ["login", "--username", "AWS", "--password-stdin", registry], {
    cwd,
    stdin: password,
    ...(onLine && { onLine }),
  });
  await run("docker", dockerBuildArgs(input, imageUri), { cwd, ...(onLine && { onLine }) });
  await run("docker", ["push", imageUri], { cwd, ...(onLine && { onLine }) });
  const digest = await taggedDigest(ecr, input.repositoryName, input.tag);
  if (!digest) throw new ImageError(`docker push reported success, but ${imageUri} is not in ECR`);
  return { repositoryUri: uri, imageUri, pinnedUri: `${uri}@${digest}`, imageDigest: digest };
}

async function registryPassword(ecr: ECRClient): Promise<string> {
  const out = await ecrCall("GetAuthorizationToken", () => ecr.send(new GetAuthorizationTokenCommand({})));
  const token = out.authorizationData?.[0]?.authorizationToken;
  if (!token) throw new ImageError("ECR returned no authorization token");
  const decoded = Buffer.from(token, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) throw new ImageError("ECR's authorization token is not user:password");
  return decoded.slice(colon + 1);
}

export const spawnRunner: CommandRunner = (command, args, { cwd, stdin, onLine }) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["pipe", "pipe", "pipe"] });
    let tail = "";
    const output = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-2000);
      for (const line of text.split(/\r?\n/)) if (line.trim()) onLine?.(line);
    };
    child.stdout.on("data", output);
    child.stderr.on("data", output);
    child.on("error", (error) =>
      reject(new ImageError(`${command} could not be started (${error.message}); is Docker installed?`)),
    );
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new ImageError(`${command} ${args[0]} exited with ${code}: ${tail.trim()}`)),
    );
    child.stdin.end(stdin ?? "");
  });
