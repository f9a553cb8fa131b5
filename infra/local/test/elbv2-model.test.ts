import { describe, expect, it } from "vitest";
import { AwsError } from "../src/contracts.js";
import { Elbv2Model } from "../src/services/elbv2/model.js";
import { emptyElbv2State } from "../src/services/elbv2/state.js";
import { codeOf } from "./aws-error.js";

// ELBv2's rules on plain state, with typed actions and conditions: no load balancer, no wire.

const scope = { region: "us-east-1", accountId: "000000000000" };

function setup() {
  let ids = 0;
  const model = new Elbv2Model(
    emptyElbv2State(),
    () => `id${++ids}`,
    () => new Date("2026-06-01T00:00:00Z"),
  );
  let changes = 0;
  model.subscribe(() => changes++);
  const lb = model.createLoadBalancer(scope, { name: "edge", subnets: ["s1"], securityGroups: [] });
  const tg = model.createTargetGroup(scope, { name: "api", protocol: "HTTP", port: 80, healthCheck: {} });
  const listener = model.createListener({
    loadBalancerArn: lb.arn,
    port: 8080,
    protocol: "HTTP",
    certificateArns: [],
    defaultActions: [{ type: "forward", targetGroups: [{ arn: tg.arn }] }],
  });
  return { model, lb, tg, listener, changes: () => changes };
}

describe("ELBv2 model", () => {
  it("fills in AWS's defaults for actions and tells subscribers of every change", () => {
    const { model, tg, listener, changes } = setup();
    expect(changes()).toBe(3);
    expect(listener.defaultActions).toEqual([
      { type: "forward", targetGroups: [{ arn: tg.arn, weight: 1 }] },
    ]);
    const redirect = model.createRule({
      listenerArn: listener.arn,
      priority: 10,
      conditions: [{ field: "host-header", values: ["old.localhost"] }],
      actions: [{ type: "redirect", redirect: { host: "new.localhost", statusCode: "HTTP_301" } }],
    });
    expect(redirect.actions[0]).toEqual({
      type: "redirect",
      redirect: {
        protocol: "#{protocol}",
        port: "#{port}",
        host: "new.localhost",
        path: "/#{path}",
        query: "#{query}",
        statusCode: "HTTP_301",
      },
    });
    const fixed = model.createRule({
      listenerArn: listener.arn,
      priority: 20,
      conditions: [{ field: "path-pattern", values: ["/health"] }],
      actions: [{ type: "fixed-response", fixedResponse: { statusCode: "200" } }],
    });
    expect(fixed.actions[0]).toEqual({
      type: "fixed-response",
      fixedResponse: { statusCode: "200", contentType: "text/plain", messageBody: undefined },
    });
    expect(changes()).toBe(5);
    expect(model.loadBalancerArnsOf(tg.arn)).toEqual([listener.loadBalancerArn]);
  });

  it("checks actions: weights, known target groups, status codes, one action per rule", () => {
    const { model, tg, listener } = setup();
    const rule =
      (actions: Parameters<Elbv2Model["createRule"]>[0]["actions"], priority = 1) =>
      () =>
        model.createRule({
          listenerArn: listener.arn,
          priority,
          conditions: [{ field: "path-pattern", values: ["/x"] }],
          actions,
        });
    expect(codeOf(rule([]))).toBe("ValidationError");
    expect(codeOf(rule([{ type: "forward", targetGroups: [] }]))).toBe("ValidationError");
    expect(codeOf(rule([{ type: "forward", targetGroups: [{ arn: tg.arn, weight: 1000 }] }]))).toBe(
      "ValidationError",
    );
    expect(codeOf(rule([{ type: "forward", targetGroups: [{ arn: `${tg.arn}x` }] }]))).toBe(
      "TargetGroupNotFound",
    );
    expect(codeOf(rule([{ type: "redirect", redirect: { statusCode: "HTTP_307" } }]))).toBe(
      "ValidationError",
    );
    expect(codeOf(rule([{ type: "fixed-response", fixedResponse: { statusCode: "302" } }]))).toBe(
      "ValidationError",
    );
    const forward = { type: "forward" as const, targetGroups: [{ arn: tg.arn }] };
    expect(codeOf(rule([forward, forward]))).toBe("ValidationError");
    rule([forward], 5)();
    expect(codeOf(rule([forward], 5))).toBe("PriorityInUse");
  });

  it("checks weighted forward actions as ELBv2 does: weights 0-999, five groups, one action, stickiness", () => {
    const { model, listener } = setup();
    const groups = ["a", "b", "c", "d", "e", "f"].map(
      (name) => model.createTargetGroup(scope, { name, protocol: "HTTP", port: 80, healthCheck: {} }).arn,
    );
    const forward = (
      arns: string[],
      weights: number[] = [],
      stickiness?: { enabled: boolean; durationSeconds?: number },
    ) => ({
      type: "forward" as const,
      targetGroups: arns.map((arn, i) => ({ arn, weight: weights[i] })),
      ...(stickiness ? { stickiness } : {}),
    });
    const rule =
      (...actions: Parameters<Elbv2Model["createRule"]>[0]["actions"]) =>
      () =>
        model.createRule({
          listenerArn: listener.arn,
          priority: 1,
          conditions: [{ field: "path-pattern", values: ["/x"] }],
          actions,
        });
    const message = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        if (error instanceof AwsError) return `${error.code}: ${error.message}`;
        throw error;
      }
      return "accepted";
    };
    expect(message(rule(forward(groups.slice(0, 2), [0, -1])))).toBe(
      "ValidationError: Target group weight must be between 0 and 999",
    );
    expect(message(rule(forward(groups.slice(0, 2), [0, 1.5])))).toBe(
      "ValidationError: Target group weight must be between 0 and 999",
    );
    expect(
      message(rule(forward(groups))).startsWith("ValidationError: A forward action can have at most '5'"),
    ).toBe(true);
    expect(message(rule(forward([groups[0]!, groups[0]!])))).toMatch(/^ValidationError: .*only once/);
    expect(
      message(rule(forward([groups[0]!]), { type: "fixed-response", fixedResponse: { statusCode: "200" } })),
    ).toBe("ValidationError: Only one action can be specified per rule");
    expect(message(rule(forward([groups[0]!], [], { enabled: true, durationSeconds: 0 })))).toBe(
      "ValidationError: Target group stickiness duration must be between 1 and 604800 seconds",
    );
    expect(message(rule(forward([groups[0]!], [], { enabled: false, durationSeconds: 604801 })))).toBe(
      "ValidationError: Target group stickiness duration must be between 1 and 604800 seconds",
    );
    expect(message(rule(forward([groups[0]!], [], { enabled: true })))).toMatch(
      /^ValidationError: .*specified/,
    );
    expect(model.state.rules).toEqual({});
    const accepted = rule(
      forward(groups.slice(0, 5), [0, 999, 1, 2, 3], { enabled: true, durationSeconds: 3600 }),
    )();
    expect(accepted.actions[0]).toEqual({
      type: "forward",
      targetGroups: groups.slice(0, 5).map((arn, i) => ({ arn, weight: [0, 999, 1, 2, 3][i] })),
      stickiness: { enabled: true, durationSeconds: 3600 },
    });
  });

  it("checks conditions: at least one value, at most five, one per field, host header characters", () => {
    const { model, tg, listener } = setup();
    const rule = (conditions: Parameters<Elbv2Model["createRule"]>[0]["conditions"]) => () =>
      model.createRule({
        listenerArn: listener.arn,
        priority: 1,
        conditions,
        actions: [{ type: "forward", targetGroups: [{ arn: tg.arn }] }],
      });
    expect(codeOf(rule([]))).toBe("ValidationError");
    expect(codeOf(rule([{ field: "host-header", values: [] }]))).toBe("ValidationError");
    expect(codeOf(rule([{ field: "host-header", values: ["bad host!"] }]))).toBe("ValidationError");
    expect(codeOf(rule([{ field: "path-pattern", values: ["/1", "/2", "/3", "/4", "/5", "/6"] }]))).toBe(
      "ValidationError",
    );
    expect(
      codeOf(
        rule([
          { field: "path-pattern", values: ["/a"] },
          { field: "path-pattern", values: ["/b"] },
        ]),
      ),
    ).toBe("ValidationError");
    expect(
      codeOf(rule([{ field: "host-header", values: ["qa.localhost", "*.qa.localhost"] }])),
    ).toBeUndefined();
  });

  it("keeps listener ports unique per load balancer and target groups in use", () => {
    const { model, lb, tg, listener } = setup();
    const second = model.createListener({
      loadBalancerArn: lb.arn,
      port: 8443,
      protocol: "HTTPS",
      certificateArns: ["arn:cert"],
      defaultActions: [{ type: "fixed-response", fixedResponse: { statusCode: "404" } }],
    });
    expect(second.sslPolicy).toBe("ELBSecurityPolicy-2016-08");
    expect(codeOf(() => model.modifyListener({ arn: second.arn, port: 8080 }))).toBe("DuplicateListener");
    expect(codeOf(() => model.deleteTargetGroup(tg.arn))).toBe("ResourceInUse");
    model.deleteListener(listener.arn);
    model.deleteTargetGroup(tg.arn);
    expect(codeOf(() => model.targetGroup(tg.arn))).toBe("TargetGroupNotFound");
  });

  it("registers targets on the group's port by default and refuses to deregister unknown ones", () => {
    const { model, tg } = setup();
    expect(model.registerTargets(tg.arn, [{ id: "i-1" }, { id: "i-1", port: 40001 }])).toEqual([
      { id: "i-1", port: 80 },
      { id: "i-1", port: 40001 },
    ]);
    model.registerTargets(tg.arn, [{ id: "i-1", port: 40001 }]);
    expect(model.targetGroup(tg.arn).targets).toHaveLength(2);
    expect(codeOf(() => model.deregisterTargets(tg.arn, [{ id: "i-2" }]))).toBe("InvalidTarget");
    model.deregisterTargets(tg.arn, [{ id: "i-1" }]);
    expect(model.targetGroup(tg.arn).targets).toEqual([{ id: "i-1", port: 40001 }]);
  });
});
