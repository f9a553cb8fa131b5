import type { AppName, EnvironmentName, PlatformSpec } from "./schema.js";

// The naming and routing contract every part relies on (the Pulumi program, npm start, the deploy
// tool, the apps' metrics), in one place.

/** ECS service, ECR repository and target group name: `api-qa`, `media-server-prod`, ... */
export function serviceName(app: AppName, env: EnvironmentName): string {
  return `${app}-${env}`;
}

export const ALTERNATE_TARGET_GROUP_SUFFIX = "-green";

/** The second target group a traffic-shifting deployment starts the new revision in: `api-qa-green`. */
export function alternateTargetGroupName(app: AppName, env: EnvironmentName): string {
  return `${serviceName(app, env)}${ALTERNATE_TARGET_GROUP_SUFFIX}`;
}

/** CloudWatch Logs group of one service, on AWS and on the local region: `/platform/qa/api`. */
export function logGroupName(app: AppName, env: EnvironmentName): string {
  return `/platform/${env}/${app}`;
}

/** Paths that go to the media server; every other path goes to the API. */
export const MEDIA_SERVER_PATHS = ["/kurento", "/media/*"] as const;

/** The host an environment is served at, or undefined for the default environment (every other host). */
export function environmentHost(
  spec: PlatformSpec,
  env: EnvironmentName,
  domain = spec.domain,
): string | undefined {
  const prefix = spec.environments[env].hostPrefix;
  return prefix ? `${prefix}.${domain}` : undefined;
}

/** The environment that receives every host no rule names (prod). */
export function defaultEnvironment(spec: PlatformSpec): EnvironmentName {
  const found = (Object.keys(spec.environments) as EnvironmentName[]).find(
    (e) => !spec.environments[e].hostPrefix,
  );
  if (!found) throw new Error("the spec has no default environment");
  return found;
}

export interface RouteRule {
  /** Lower is evaluated first, as in ELBv2. */
  priority: number;
  env: EnvironmentName;
  app: AppName;
  hostHeader?: string;
  pathPatterns?: readonly string[];
}

/**
 * The listener rules both the ALB (Pulumi) and the local load balancer install, with unique priorities:
 * host-specific rules first (media paths, then the host catch-all), then media paths for the default
 * environment. The listener's default action forwards to the default environment's API.
 */
export function routeRules(spec: PlatformSpec, domain = spec.domain): RouteRule[] {
  const rules: RouteRule[] = [];
  const fallback = defaultEnvironment(spec);
  let priority = 10;
  for (const env of Object.keys(spec.environments) as EnvironmentName[]) {
    const host = environmentHost(spec, env, domain);
    if (!host) continue;
    rules.push({ priority, env, app: "media-server", hostHeader: host, pathPatterns: MEDIA_SERVER_PATHS });
    rules.push({ priority: priority + 1, env, app: "api", hostHeader: host });
    priority += 10;
  }
  rules.push({ priority: 100, env: fallback, app: "media-server", pathPatterns: MEDIA_SERVER_PATHS });
  return rules;
}
