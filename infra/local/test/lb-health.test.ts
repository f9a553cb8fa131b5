import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { TargetHealthView } from "../src/contracts.js";
import { TargetRegistry } from "../src/runtime/load-balancer/target-registry.js";
import { Elbv2Model } from "../src/services/elbv2/model.js";
import { emptyElbv2State } from "../src/services/elbv2/state.js";

// Target states as ELBv2 moves them, driven by recorded health check outcomes (no network).

const scope = { region: "us-east-1", accountId: "000000000000" };
const fail = {
  ok: false as const,
  reason: "Target.ResponseCodeMismatch",
  description: "Health checks failed with these codes: [503]",
};
const pass = { ok: true as const };

let model: Elbv2Model;
let registry: TargetRegistry;
let arn: string;
let events: TargetHealthView[];

function setup(attached: boolean, delaySeconds = "30") {
  model = new Elbv2Model(emptyElbv2State());
  registry = new TargetRegistry(model);
  model.subscribe(() => registry.reconcile());
  events = [];
  registry.subscribe((_arn, view) => events.push(view));
  arn = model.createTargetGroup(scope, {
    name: "api-qa",
    protocol: "HTTP",
    port: 80,
    healthCheck: { intervalSeconds: 5, timeoutSeconds: 4, healthyThreshold: 2, unhealthyThreshold: 2 },
  }).arn;
  model.modifyTargetGroupAttributes(arn, { "deregistration_delay.timeout_seconds": delaySeconds });
  if (attached) {
    const lb = model.createLoadBalancer(scope, { name: "edge", subnets: [], securityGroups: [] });
    model.createListener({
      loadBalancerArn: lb.arn,
      port: 8080,
      protocol: "HTTP",
      certificateArns: [],
      defaultActions: [{ type: "forward", targetGroups: [{ arn }] }],
    });
  }
}

const state = (port: number) => {
  const h = registry.health(arn).find((t) => t.port === port);
  return h ? `${h.state}|${h.reason ?? ""}` : "gone";
};
const check = (port: number, outcome: typeof pass | typeof fail) =>
  registry.recordCheck(arn, registry.entry(arn, { id: "i-1", port })!, outcome);

describe("target health", () => {
  beforeEach(() => setup(true));
  afterEach(() => {
    registry.close();
    vi.useRealTimers();
  });

  it("starts initial and turns healthy after healthyThreshold passes", () => {
    model.registerTargets(arn, [{ id: "i-1", port: 40001 }]);
    expect(state(40001)).toBe("initial|Elb.RegistrationInProgress");
    check(40001, pass);
    expect(state(40001)).toBe("initial|Elb.InitialHealthChecking");
    check(40001, pass);
    expect(state(40001)).toBe("healthy|");
    expect(events.map((e) => e.state)).toEqual(["initial", "initial", "healthy"]);
  });

  it("turns unhealthy after unhealthyThreshold failures and healthy again after healthyThreshold passes", () => {
    model.registerTargets(arn, [{ id: "i-1", port: 40001 }]);
    check(40001, pass);
    check(40001, pass);
    check(40001, fail);
    expect(state(40001)).toBe("healthy|");
    check(40001, fail);
    expect(state(40001)).toBe("unhealthy|Target.ResponseCodeMismatch");
    check(40001, pass);
    expect(state(40001)).toBe("unhealthy|Target.ResponseCodeMismatch");
    check(40001, pass);
    expect(state(40001)).toBe("healthy|");
  });

  it("routes to healthy targets only, fails open to unhealthy ones, never to draining ones", () => {
    model.registerTargets(arn, [
      { id: "i-1", port: 40001 },
      { id: "i-1", port: 40002 },
    ]);
    check(40001, pass);
    check(40001, pass);
    const picks = new Set([0, 1, 2, 3].map(() => registry.pick(arn)?.target.port));
    expect([...picks]).toEqual([40001]);
    check(40001, fail);
    check(40001, fail);
    const failOpen = new Set([0, 1, 2, 3].map(() => registry.pick(arn)?.target.port));
    expect([...failOpen].sort()).toEqual([40001, 40002]);
    const held = registry.acquire(arn, registry.entry(arn, { id: "i-1", port: 40001 })!);
    model.deregisterTargets(arn, [{ id: "i-1", port: 40001 }]);
    expect(new Set([0, 1, 2].map(() => registry.pick(arn)?.target.port))).toEqual(new Set([40002]));
    held();
    model.deregisterTargets(arn, [{ id: "i-1", port: 40002 }]);
    expect(registry.pick(arn)).toBeUndefined();
  });

  it("completes deregistration when the last in-flight request ends", async () => {
    model.registerTargets(arn, [{ id: "i-1", port: 40001 }]);
    const release = registry.acquire(arn, registry.entry(arn, { id: "i-1", port: 40001 })!);
    model.deregisterTargets(arn, [{ id: "i-1", port: 40001 }]);
    expect(state(40001)).toBe("draining|Target.DeregistrationInProgress");
    let drained = false;
    const done = registry.drained(arn, { id: "i-1", port: 40001 }).then(() => {
      drained = true;
    });
    await Promise.resolve();
    expect(drained).toBe(false);
    release();
    await done;
    expect(state(40001)).toBe("gone");
    expect(events.at(-1)).toMatchObject({ state: "unavailable", reason: "Target.NotRegistered" });
  });

  it("completes deregistration after the delay even with a request still in flight", async () => {
    vi.useFakeTimers();
    model.registerTargets(arn, [{ id: "i-1", port: 40001 }]);
    registry.acquire(arn, registry.entry(arn, { id: "i-1", port: 40001 })!);
    model.deregisterTargets(arn, [{ id: "i-1", port: 40001 }]);
    vi.advanceTimersByTime(29_000);
    expect(state(40001)).toBe("draining|Target.DeregistrationInProgress");
    vi.advanceTimersByTime(1_000);
    expect(state(40001)).toBe("gone");
  });

  it("cancels the drain when the target is registered again", async () => {
    model.registerTargets(arn, [{ id: "i-1", port: 40001 }]);
    registry.acquire(arn, registry.entry(arn, { id: "i-1", port: 40001 })!);
    model.deregisterTargets(arn, [{ id: "i-1", port: 40001 }]);
    const drained = registry.drained(arn, { id: "i-1", port: 40001 });
    model.registerTargets(arn, [{ id: "i-1", port: 40001 }]);
    await drained;
    expect(state(40001)).toBe("initial|Elb.RegistrationInProgress");
  });
});

describe("unused target groups", () => {
  it("reports targets of a group no listener uses as unused, and initial once a listener forwards to it", () => {
    setup(false);
    model.registerTargets(arn, [{ id: "i-1", port: 40001 }]);
    expect(state(40001)).toBe("unused|Target.NotInUse");
    const lb = model.createLoadBalancer(scope, { name: "edge", subnets: [], securityGroups: [] });
    model.createListener({
      loadBalancerArn: lb.arn,
      port: 8080,
      protocol: "HTTP",
      certificateArns: [],
      defaultActions: [{ type: "forward", targetGroups: [{ arn }] }],
    });
    expect(state(40001)).toBe("initial|Elb.RegistrationInProgress");
    registry.close();
  });
});

describe("one health check", () => {
  it("reports ELBv2's reason for a wrong code, a timeout and a refused connection", async () => {
    const { checkTarget } = await import("../src/runtime/load-balancer/health-checker.js");
    const { startBackend, freePort } = await import("../src/testing/index.js");
    const backend = await startBackend((req, res) => {
      if (req.url === "/hang") return;
      res.writeHead(req.url === "/ok" ? 204 : 503).end();
    });
    try {
      expect(await checkTarget("127.0.0.1", backend.port, "/ok", 1000, "200-299")).toEqual({ ok: true });
      expect(await checkTarget("127.0.0.1", backend.port, "/ok", 1000, "200")).toEqual({
        ok: false,
        reason: "Target.ResponseCodeMismatch",
        description: "Health checks failed with these codes: [204]",
      });
      expect(await checkTarget("127.0.0.1", backend.port, "/hang", 300, "200")).toMatchObject({
        ok: false,
        reason: "Target.Timeout",
      });
      expect(await checkTarget("127.0.0.1", await freePort(), "/", 1000, "200")).toMatchObject({
        ok: false,
        reason: "Target.FailedHealthChecks",
      });
      expect(backend.requests[0]?.headers["user-agent"]).toBe("ELB-HealthChecker/2.0");
    } finally {
      await backend.close();
    }
  });
});
