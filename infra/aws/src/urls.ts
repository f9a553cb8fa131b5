import { type EnvironmentName, environmentHost, type PlatformSpec } from "@platform/env";

/** Where an environment is served: `https://qa.<domain>`, or the bare domain for the default one. */
export function environmentUrl(spec: PlatformSpec, env: EnvironmentName): string {
  return `https://${environmentHost(spec, env) ?? spec.domain}`;
}
