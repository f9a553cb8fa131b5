import type { AppName, DeploymentSpec, EnvironmentName, PlatformSpec } from "@platform/env";
import { parseDocument } from "yaml";
import type { SuitePorts } from "./ports.js";

/** What a suite changes in the spec besides the ports. */
export interface SpecOverrides {
  /** A service's own `deployment` (its strategy, bake, canary/linear steps), e.g. `{ env: "prod", app: "api", deployment }`. */
  deployments?: { env: EnvironmentName; app: AppName; deployment: DeploymentSpec }[];
  /** `local.maxDeploymentBakeSeconds`: the cap on every bake, raised when a suite must watch one. */
  maxDeploymentBakeSeconds?: number;
  /** `local.autoscaling`: shorter scaling alarms and cooldowns, for a suite that watches a scaling. */
  autoscaling?: NonNullable<PlatformSpec["local"]["autoscaling"]>;
  /** A service's task count (desiredCount, and its auto scaling's minimum so it stays there), e.g. qa at 2 so a kill has a task to fail over to. */
  taskCounts?: { env: EnvironmentName; app: AppName; count: number }[];
}

type MergedSpec = {
  environments: Record<
    string,
    { services: Record<string, { autoscaling?: { minCount: number; maxCount: number } }> }
  >;
};

/**
 * The environment spec with the local ports replaced, so `npm start` (PLATFORM_SPEC) runs a region
 * that can't collide with a developer's, and with the suite's overrides. Edited as a YAML document
 * (comments, anchors and merge keys stay as written); a spec without one of the keys it sets is
 * refused rather than silently left on the default ports or the shipped deployment.
 */
export function specWithPorts(specText: string, ports: SuitePorts, overrides: SpecOverrides = {}): string {
  const doc = parseDocument(specText, { merge: true });
  if (doc.errors.length > 0) throw new Error(`the spec is not valid YAML: ${doc.errors[0]?.message}`);
  const replace = (path: (string | number)[], value: unknown) => {
    if (!doc.hasIn(path)) throw new Error(`the spec has no ${path.join(".")} to rewrite`);
    doc.setIn(path, doc.createNode(value, { flow: typeof value === "object" }));
  };
  replace(["local", "awsEndpointPort"], ports.aws);
  replace(["local", "httpPort"], ports.http);
  replace(["local", "httpsPort"], ports.https);
  replace(["local", "testHttpPort"], ports.testHttp);
  replace(["local", "testHttpsPort"], ports.testHttps);
  replace(["local", "taskPorts"], { from: ports.tasks.from, to: ports.tasks.to });
  replace(["local", "mediaUdpPorts"], { from: ports.mediaUdp.from, to: ports.mediaUdp.to });
  if (overrides.maxDeploymentBakeSeconds !== undefined)
    replace(["local", "maxDeploymentBakeSeconds"], overrides.maxDeploymentBakeSeconds);
  // Absent from the shipped spec (AWS's settings), so set rather than replaced.
  if (overrides.autoscaling)
    doc.setIn(["local", "autoscaling"], doc.createNode(overrides.autoscaling, { flow: true }));
  for (const { env, app, deployment } of overrides.deployments ?? []) {
    const service = ["environments", env, "services", app];
    if (!doc.hasIn(service)) throw new Error(`the spec has no ${service.join(".")} to give a deployment`);
    // JSON drops the fields left undefined, which YAML would write as null.
    doc.setIn([...service, "deployment"], doc.createNode(JSON.parse(JSON.stringify(deployment))));
  }
  for (const { env, app, count } of overrides.taskCounts ?? []) {
    const service = ["environments", env, "services", app];
    if (!doc.hasIn(service)) throw new Error(`the spec has no ${service.join(".")} to give a task count`);
    doc.setIn([...service, "desiredCount"], count);
    // The merged value (a service takes its autoscaling from an anchor), so its other fields stay.
    const scaling = (doc.toJS() as MergedSpec).environments[env]?.services[app]?.autoscaling;
    if (scaling)
      doc.setIn(
        [...service, "autoscaling"],
        doc.createNode(
          { ...scaling, minCount: count, maxCount: Math.max(scaling.maxCount, count) },
          { flow: true },
        ),
      );
  }
  return doc.toString();
}
