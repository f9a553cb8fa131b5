import { serviceDeployment, shiftsTraffic } from "./deployment.js";
import { defaultEnvironment, type RouteRule, routeRules } from "./names.js";
import type { PlatformSpec } from "./schema.js";

// The rules ECS moves weights on, shared by the ALB (Pulumi) and the local load balancer (`npm start`),
// so both send production and test traffic the same way.

/** After the routing contract's rules: the default environment's API answers every other request. */
export const CATCH_ALL_PRIORITY = 50000;

/**
 * ECS names the one rule that carries a service's production traffic; the default environment's API is
 * otherwise reached by the listener's default action, which ECS can't shift, so it gets a rule of its
 * own when it shifts traffic.
 */
export function productionRules(spec: PlatformSpec, domain = spec.domain): RouteRule[] {
  return [...routeRules(spec, domain), ...catchAllRule(spec)];
}

/** The test listener mirrors the production rules of the services that shift traffic. */
export function testRules(spec: PlatformSpec, domain = spec.domain): RouteRule[] {
  return productionRules(spec, domain).filter((rule) =>
    shiftsTraffic(serviceDeployment(spec, rule.app, rule.env)),
  );
}

function catchAllRule(spec: PlatformSpec): RouteRule[] {
  const env = defaultEnvironment(spec);
  if (!shiftsTraffic(serviceDeployment(spec, "api", env))) return [];
  return [{ priority: CATCH_ALL_PRIORITY, env, app: "api", pathPatterns: ["/*"] }];
}
