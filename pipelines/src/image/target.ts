import { existsSync } from "node:fs";
import { join } from "node:path";
import { ECRClient } from "@aws-sdk/client-ecr";
import { fromIni } from "@aws-sdk/credential-provider-ini";
import { ImageError } from "./errors.js";
import type { Checkout } from "./repo-root.js";

// Where images go: the local region by default (every command's default target), AWS when the
// AWS configuration points there. One decision, shared by the image CLI and the pipeline.

export type TargetKind = "local" | "aws";

export interface LocalTarget {
  kind: "local";
  endpoint: string;
  region: string;
  stateDir: string;
  credentialsFile: string;
  configFile: string;
  profile: "local";
}

export interface AwsTarget {
  kind: "aws";
  /** From AWS_REGION / AWS_DEFAULT_REGION, else the spec's region. */
  region: string;
  /** What set it: "--target aws", "AWS_PROFILE=ci", ... (for the progress line; never a secret). */
  reason: string;
}

export type Target = LocalTarget | AwsTarget;

export interface TargetDefaults {
  repoRoot: string;
  /** The spec's region (eu-west-1). */
  region: string;
  /** The spec's local endpoint port (4566). */
  localPort: number;
}

const AWS_CREDENTIAL_VARIABLES = [
  "AWS_PROFILE",
  "AWS_ACCESS_KEY_ID",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
];

/**
 * `--target` wins, then PLATFORM_TARGET; otherwise AWS when AWS credentials are configured in the
 * environment (a CI job with an OIDC role, a user with AWS_PROFILE) and no local endpoint is set,
 * and the local region when nothing points anywhere.
 */
export function resolveTarget(
  explicit: string | undefined,
  defaults: TargetDefaults,
  env: NodeJS.ProcessEnv = process.env,
): Target {
  const chosen = explicit ?? env.PLATFORM_TARGET;
  if (chosen !== undefined && chosen !== "local" && chosen !== "aws") {
    throw new ImageError(`target "${chosen}" is not one of: local, aws`);
  }
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? defaults.region;
  const endpoint = env.AWS_ENDPOINT_URL_ECR ?? env.AWS_ENDPOINT_URL;
  const pointsAtLoopback = endpoint !== undefined && isLoopback(endpoint);
  const configured = AWS_CREDENTIAL_VARIABLES.find((name) => env[name]);
  const kind: TargetKind = chosen ?? (configured && !pointsAtLoopback ? "aws" : "local");
  if (kind === "aws") {
    return { kind, region, reason: chosen ? `target ${chosen}` : `${configured} is set` };
  }
  const stateDir = env.LOCAL_REGION_STATE_DIR ?? join(defaults.repoRoot, ".local-region");
  return {
    kind,
    endpoint: pointsAtLoopback ? endpoint : `http://127.0.0.1:${defaults.localPort}`,
    region,
    stateDir,
    credentialsFile: join(stateDir, "credentials"),
    configFile: join(stateDir, "config"),
    profile: "local",
  };
}

function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === "127.0.0.1" || host === "localhost" || host === "[::1]";
  } catch {
    return false;
  }
}

/** resolveTarget with the checkout's spec for the region and the local endpoint. */
export function checkoutTarget(explicit: string | undefined, { repoRoot, spec }: Checkout): Target {
  return resolveTarget(explicit, { repoRoot, region: spec.region, localPort: spec.local.awsEndpointPort });
}

/** An AWS SDK client's settings for the target: the local region's generated credentials, or the default AWS chain. */
export function awsClientConfig(target: Target): {
  region: string;
  endpoint?: string;
  credentials?: ReturnType<typeof fromIni>;
} {
  if (target.kind === "aws") return { region: target.region };
  requireLocalCredentials(target);
  return {
    region: target.region,
    endpoint: target.endpoint,
    credentials: fromIni({
      profile: target.profile,
      filepath: target.credentialsFile,
      configFilepath: target.configFile,
    }),
  };
}

export function ecrClient(target: Target): ECRClient {
  return new ECRClient(awsClientConfig(target));
}

function requireLocalCredentials(target: LocalTarget): void {
  if (!existsSync(target.credentialsFile)) {
    throw new ImageError(
      `the local region has no credentials yet (${target.credentialsFile} is missing): start it with npm start`,
    );
  }
}

/**
 * Environment variables that point any AWS tool (the `ecs` CLI, the AWS CLI, boto3) at the target:
 * for the local region its profile, files and endpoint; for AWS nothing beyond the region.
 */
export function awsEnvironment(target: Target): Record<string, string> {
  if (target.kind === "aws") return { AWS_REGION: target.region };
  requireLocalCredentials(target);
  return {
    AWS_REGION: target.region,
    AWS_PROFILE: target.profile,
    AWS_SHARED_CREDENTIALS_FILE: target.credentialsFile,
    AWS_CONFIG_FILE: target.configFile,
    AWS_ENDPOINT_URL: target.endpoint,
  };
}

export function describeTarget(target: Target): string {
  return target.kind === "local"
    ? `local region ${target.endpoint} (profile local, ${target.region})`
    : `AWS ${target.region} (${target.reason})`;
}
