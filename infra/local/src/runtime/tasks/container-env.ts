import type { ImageConfig } from "../../contracts.js";
import type { ContainerDefinition, NetworkBinding } from "../../services/ecs/model/types.js";

// A container's environment, in Docker/ECS order: image Env, then the task definition's
// environment, then its secrets; then what stands in for the container network namespace, and
// what points an AWS SDK at the local region: AWS_ENDPOINT_URL, and with a task role its
// credentials endpoint (the SDKs' container provider takes a loopback FULL_URI plus a token).

export interface EnvInputs {
  def: ContainerDefinition;
  config: ImageConfig;
  secrets: Record<string, string>;
  bindings: NetworkBinding[];
  metadataUri: string;
  /** The region's endpoint, `http://127.0.0.1:4566`. */
  endpoint: string;
  /** Given for a task definition with a taskRoleArn, as ECS gives credentials only then. */
  credentials?: { fullUri: string; authorizationToken: string };
  region: string;
  /** The host's PATH, used when the image sets none. */
  hostPath: string;
}

export function containerEnvironment(input: EnvInputs): Record<string, string> {
  const env: Record<string, string> = { PATH: input.hostPath, HOSTNAME: "localhost" };
  for (const entry of input.config.Env ?? []) {
    const eq = entry.indexOf("=");
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  // Binaries come from the host (no container OS), so the host's PATH stays reachable.
  if (env.PATH !== input.hostPath) env.PATH = `${env.PATH}:${input.hostPath}`;
  for (const { name, value } of input.def.environment) env[name] = value;
  Object.assign(env, input.secrets);
  const firstTcp = input.bindings.find((b) => b.protocol === "tcp");
  if (firstTcp) env.PORT = String(firstTcp.hostPort);
  for (const b of input.bindings)
    env[`HOST_PORT_${b.containerPort}_${b.protocol.toUpperCase()}`] = String(b.hostPort);
  env.ECS_CONTAINER_METADATA_URI_V4 = input.metadataUri;
  env.ECS_CONTAINER_METADATA_URI = input.metadataUri;
  env.AWS_REGION = input.region;
  env.AWS_DEFAULT_REGION = input.region;
  env.AWS_ENDPOINT_URL = input.endpoint;
  if (input.credentials) {
    env.AWS_CONTAINER_CREDENTIALS_FULL_URI = input.credentials.fullUri;
    env.AWS_CONTAINER_AUTHORIZATION_TOKEN = input.credentials.authorizationToken;
  }
  return env;
}
