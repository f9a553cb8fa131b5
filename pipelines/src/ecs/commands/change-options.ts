import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { splitJoined } from "../model/argv.js";
import { type ChangeRequest, emptyChangeRequest } from "../model/change-request.js";
import { parseCommand } from "../model/container-command.js";
import { isValidEnvName, parseEnvFile } from "../model/env-file.js";
import { UsageError } from "../model/errors.js";
import { isValidTag } from "../model/image-ref.js";

// The task-definition options `deploy` and `diff` share, fabfuel-compatible: each multi-value option
// arrives as one joined token (see model/argv.ts) and is split and checked here.

function collect(option: string, arity: number) {
  return (value: string, previous: string[][] = []) => [...previous, splitJoined(value, option, arity)];
}

export function addChangeOptions(command: Command): Command {
  return command
    .option("-t, --tag <tag>", "new tag for every container's image")
    .option(
      "-i, --image <container-image>",
      "CONTAINER IMAGE: a container's image (repeatable)",
      collect("--image", 2),
    )
    .option(
      "-e, --env <container-name-value>",
      "CONTAINER NAME VALUE: set an environment variable",
      collect("--env", 3),
    )
    .option(
      "-s, --secret <container-name-parameter>",
      "CONTAINER NAME PARAMETER: set a secret from SSM/Secrets Manager",
      collect("--secret", 3),
    )
    .option(
      "--env-file <container-file>",
      "CONTAINER FILE: set variables from a NAME=value file",
      collect("--env-file", 2),
    )
    .option("--exclusive-env", "remove every environment variable not given")
    .option("--exclusive-secrets", "remove every secret not given")
    .option(
      "-c, --command <container-command>",
      "CONTAINER COMMAND: a container's command (words or a JSON array)",
      collect("--command", 2),
    )
    .option("--cpu <container-n>", "CONTAINER N: a container's cpu units", collect("--cpu", 2))
    .option(
      "--memory <container-n>",
      "CONTAINER N: a container's hard memory limit (MiB)",
      collect("--memory", 2),
    )
    .option(
      "--memoryreservation <container-n>",
      "CONTAINER N: a container's memory reservation (MiB)",
      collect("--memoryreservation", 2),
    )
    .option("-r, --role <arn>", "task role ARN")
    .option("-x, --execution-role <arn>", "task execution role ARN");
}

export interface ChangeOptionValues {
  tag?: string;
  image?: string[][];
  env?: string[][];
  secret?: string[][];
  envFile?: string[][];
  exclusiveEnv?: boolean;
  exclusiveSecrets?: boolean;
  command?: string[][];
  cpu?: string[][];
  memory?: string[][];
  memoryreservation?: string[][];
  role?: string;
  executionRole?: string;
}

/** The parsed options as a ChangeRequest; env files are read here. Every malformed value is a UsageError. */
export function changeRequestFrom(values: ChangeOptionValues, readFile = readText): ChangeRequest {
  const request = emptyChangeRequest();
  if (values.tag !== undefined) {
    if (!isValidTag(values.tag)) throw new UsageError(`--tag: "${values.tag}" is not a valid image tag`);
    request.tag = values.tag;
  }
  request.images = (values.image ?? []).map(([container, image]) => ({
    container: container!,
    image: image!,
  }));
  request.env = (values.env ?? []).map(([container, name, value]) => ({
    container: container!,
    name: envName("--env", name!),
    value: value!,
  }));
  request.secrets = (values.secret ?? []).map(([container, name, valueFrom]) => {
    if (!valueFrom) throw new UsageError(`--secret ${container} ${name}: the parameter name is empty`);
    return { container: container!, name: envName("--secret", name!), valueFrom };
  });
  request.envFiles = (values.envFile ?? []).map(([container, file]) => ({
    container: container!,
    file: file!,
    vars: parseEnvFile(readFile(file!), file!),
  }));
  request.exclusiveEnv = Boolean(values.exclusiveEnv);
  request.exclusiveSecrets = Boolean(values.exclusiveSecrets);
  request.commands = (values.command ?? []).map(([container, command]) => ({
    container: container!,
    command: parseCommand(command!),
  }));
  request.cpu = numbers("--cpu", values.cpu);
  request.memory = numbers("--memory", values.memory);
  request.memoryReservation = numbers("--memoryreservation", values.memoryreservation);
  request.taskRoleArn = arn("--role", values.role);
  request.executionRoleArn = arn("--execution-role", values.executionRole);
  return request;
}

function envName(option: string, name: string): string {
  if (!isValidEnvName(name))
    throw new UsageError(`${option}: "${name}" is not a valid environment variable name`);
  return name;
}

function numbers(option: string, pairs: string[][] | undefined) {
  return (pairs ?? []).map(([container, value]) => {
    if (!/^\d+$/.test(value ?? "") || Number(value) <= 0) {
      throw new UsageError(`${option} ${container}: "${value}" is not a positive whole number`);
    }
    return { container: container!, value: Number(value) };
  });
}

function arn(option: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(value)) {
    throw new UsageError(`${option}: "${value}" is not an IAM role ARN`);
  }
  return value;
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(
      `--env-file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
}
