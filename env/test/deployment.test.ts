import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { serviceDeployment } from "../src/deployment.js";
import { DEFAULT_SPEC_FILE, loadSpec, parseSpec } from "../src/load.js";
import { alternateTargetGroupName } from "../src/names.js";
import { problemsOf } from "./support/problems.js";

const shipped = readFileSync(DEFAULT_SPEC_FILE, "utf8");
const QA_DEPLOYMENT = "    deployment: { strategy: BLUE_GREEN, bakeTimeInMinutes: 5 }\n";

/** The shipped spec with qa's deployment replaced, so each test shows one mistake. */
function withQaDeployment(yaml: string): string {
  const out = shipped.replace(QA_DEPLOYMENT, `    deployment: ${yaml}\n`);
  expect(out, "qa's deployment line must be in the shipped spec").not.toBe(shipped);
  return out;
}

describe("the shipped deployment strategies", () => {
  it("qa moves at once with a short bake; prod's API is a canary, its media server blue/green", () => {
    const spec = loadSpec();
    expect(serviceDeployment(spec, "api", "qa")).toEqual({ strategy: "BLUE_GREEN", bakeTimeInMinutes: 5 });
    expect(serviceDeployment(spec, "media-server", "qa").strategy).toBe("BLUE_GREEN");
    expect(serviceDeployment(spec, "api", "prod")).toMatchObject({
      strategy: "CANARY",
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 10 },
    });
    expect(serviceDeployment(spec, "media-server", "prod")).toEqual({
      strategy: "BLUE_GREEN",
      bakeTimeInMinutes: 30,
    });
  });

  it("has a test listener of its own for the team only, and local test ports", () => {
    const spec = loadSpec();
    expect(spec.testListener.port).not.toBe(443);
    expect(spec.testListener.allowedCidrs).not.toContain("0.0.0.0/0");
    expect([spec.local.testHttpPort, spec.local.testHttpsPort]).toEqual([9080, 9443]);
  });

  it("names the alternate target group after the service", () => {
    expect(alternateTargetGroupName("media-server", "prod")).toBe("media-server-prod-green");
  });
});

describe("deployment settings ECS would refuse", () => {
  it("accepts ROLLING with nothing else, and LINEAR with its steps", () => {
    expect(() => parseSpec(withQaDeployment("{ strategy: ROLLING }"), "x.yaml")).not.toThrow();
    const linear = "{ strategy: LINEAR, linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 1 } }";
    expect(() => parseSpec(withQaDeployment(linear), "x.yaml")).not.toThrow();
  });

  it("an unknown strategy", () => {
    expect(problemsOf(withQaDeployment("{ strategy: RED_BLACK }"))).toContain(
      "environments.qa.deployment.strategy",
    );
  });

  it("a bake longer than 24 hours or not whole minutes", () => {
    expect(problemsOf(withQaDeployment("{ strategy: BLUE_GREEN, bakeTimeInMinutes: 1441 }"))).toContain(
      "deployment.bakeTimeInMinutes",
    );
    expect(problemsOf(withQaDeployment("{ strategy: BLUE_GREEN, bakeTimeInMinutes: 1.5 }"))).toContain(
      "deployment.bakeTimeInMinutes",
    );
  });

  it("a bake time on a rolling update", () => {
    expect(problemsOf(withQaDeployment("{ strategy: ROLLING, bakeTimeInMinutes: 5 }"))).toContain(
      "bakeTimeInMinutes applies to BLUE_GREEN or CANARY or LINEAR only, not ROLLING",
    );
  });

  it("CANARY without its configuration, or with LINEAR's", () => {
    expect(problemsOf(withQaDeployment("{ strategy: CANARY }"))).toContain(
      "CANARY needs canaryConfiguration",
    );
    const mixed =
      "{ strategy: CANARY, canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 }, linearConfiguration: { stepPercent: 10, stepBakeTimeInMinutes: 1 } }";
    expect(problemsOf(withQaDeployment(mixed))).toContain(
      "linearConfiguration applies to LINEAR only, not CANARY",
    );
  });

  it("percentages outside ECS's range or finer than 0.1", () => {
    const canary = (percent: number) =>
      withQaDeployment(
        `{ strategy: CANARY, canaryConfiguration: { canaryPercent: ${percent}, canaryBakeTimeInMinutes: 1 } }`,
      );
    const linear = (percent: number) =>
      withQaDeployment(
        `{ strategy: LINEAR, linearConfiguration: { stepPercent: ${percent}, stepBakeTimeInMinutes: 1 } }`,
      );
    expect(problemsOf(canary(0))).toContain("canaryConfiguration.canaryPercent");
    expect(problemsOf(canary(100.5))).toContain("canaryConfiguration.canaryPercent");
    expect(problemsOf(canary(10.05))).toContain("a multiple of 0.1");
    expect(problemsOf(linear(2.9))).toContain("linearConfiguration.stepPercent");
    expect(() => parseSpec(canary(0.1), "x.yaml")).not.toThrow();
  });

  it("a lifecycle hook other than PAUSE, or on no stage", () => {
    const hook = (yaml: string) => withQaDeployment(`{ strategy: BLUE_GREEN, lifecycleHooks: [${yaml}] }`);
    expect(
      problemsOf(hook("{ targetType: AWS_LAMBDA, lifecycleStages: [POST_TEST_TRAFFIC_SHIFT] }")),
    ).toContain("lifecycleHooks.0.targetType");
    expect(problemsOf(hook("{ targetType: PAUSE, lifecycleStages: [] }"))).toContain(
      "lifecycleHooks.0.lifecycleStages",
    );
    expect(() =>
      parseSpec(hook("{ targetType: PAUSE, lifecycleStages: [POST_TEST_TRAFFIC_SHIFT] }"), "x"),
    ).not.toThrow();
  });

  it("a test listener on a production port, open to everyone, or sharing a local port", () => {
    expect(problemsOf(shipped.replace("  port: 9443\n", "  port: 443\n"))).toContain(
      "the test listener needs a port of its own",
    );
    expect(problemsOf(shipped.replace("    - 203.0.113.0/24\n", "    - everyone\n"))).toContain(
      "testListener.allowedCidrs.0",
    );
    expect(problemsOf(shipped.replace("  testHttpPort: 9080\n", "  testHttpPort: 8080\n"))).toContain(
      "four different ports",
    );
  });
});
