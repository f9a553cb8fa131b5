import { describe, expect, it } from "vitest";
import {
  chooseTargetGroup,
  forwardTargetGroup,
  redirectLocation,
  selectAction,
  wildcard,
} from "../src/runtime/load-balancer/rules.js";
import type { ListenerRecord, RuleRecord } from "../src/services/elbv2/state.js";

const forward = (arn: string) => ({ type: "forward" as const, targetGroups: [{ arn, weight: 1 }] });
const listener: ListenerRecord = {
  arn: "l",
  loadBalancerArn: "lb",
  port: 8080,
  protocol: "HTTP",
  certificateArns: [],
  defaultActions: [forward("api-prod")],
  defaultRuleArn: "d",
};
const rules: RuleRecord[] = [
  {
    arn: "r3",
    listenerArn: "l",
    priority: 100,
    conditions: [{ field: "path-pattern", values: ["/kurento", "/media/*"] }],
    actions: [forward("media-prod")],
  },
  {
    arn: "r2",
    listenerArn: "l",
    priority: 11,
    conditions: [{ field: "host-header", values: ["qa.localhost"] }],
    actions: [forward("api-qa")],
  },
  {
    arn: "r1",
    listenerArn: "l",
    priority: 10,
    conditions: [
      { field: "host-header", values: ["qa.localhost"] },
      { field: "path-pattern", values: ["/kurento", "/media/*"] },
    ],
    actions: [forward("media-qa")],
  },
];
const target = (host: string | undefined, path: string) => {
  const action = selectAction(listener, rules, { host, path });
  return action?.type === "forward" ? action.targetGroups[0]?.arn : undefined;
};

describe("rule evaluation", () => {
  it("routes by priority with host and path conditions, then the default action", () => {
    expect(target("qa.localhost:8080", "/media/version")).toBe("media-qa");
    expect(target("QA.LocalHost", "/kurento")).toBe("media-qa");
    expect(target("qa.localhost", "/api/v1/version")).toBe("api-qa");
    expect(target("localhost:8080", "/media/healthz")).toBe("media-prod");
    expect(target("example.com", "/")).toBe("api-prod");
    expect(target(undefined, "/kurento/x")).toBe("api-prod");
  });

  it("matches ELBv2 wildcards: * any run, ? exactly one, the rest literal", () => {
    expect(wildcard("*.example.com").test("a.b.example.com")).toBe(true);
    expect(wildcard("*.example.com").test("example.com")).toBe(false);
    expect(wildcard("/img/?.png").test("/img/a.png")).toBe(true);
    expect(wildcard("/img/?.png").test("/img/ab.png")).toBe(false);
    expect(wildcard("/a.b").test("/axb")).toBe(false);
    expect(wildcard("/(x)+").test("/(x)+")).toBe(true);
  });

  it("fills redirect placeholders and drops default ports", () => {
    const redirect = { protocol: "HTTPS", port: "443", host: "#{host}", path: "/#{path}", query: "#{query}" };
    expect(
      redirectLocation(redirect, {
        protocol: "http",
        host: "qa.localhost:8080",
        port: 8080,
        path: "/a/b",
        query: "x=1",
      }),
    ).toBe("https://qa.localhost/a/b?x=1");
    expect(
      redirectLocation(
        { ...redirect, port: "8443" },
        { protocol: "http", host: "h", port: 8080, path: "/", query: "" },
      ),
    ).toBe("https://h:8443/");
  });

  it("chooses among weighted target groups by weight", () => {
    const groups = [
      { arn: "blue", weight: 1 },
      { arn: "green", weight: 3 },
    ];
    expect(chooseTargetGroup(groups, () => 0.2)).toBe("blue");
    expect(chooseTargetGroup(groups, () => 0.3)).toBe("green");
    expect(
      chooseTargetGroup(
        [
          { arn: "a", weight: 0 },
          { arn: "b", weight: 0 },
        ],
        () => 0.5,
      ),
    ).toBeUndefined();
  });

  it("keeps each group's share within ±5 points of its weight over 400 picks", () => {
    for (const weights of [
      [10, 90],
      [25, 75],
      [1, 1],
      [0, 999],
      [5, 3, 2],
    ]) {
      const random = seeded(11);
      const groups = weights.map((weight, i) => ({ arn: `tg-${i}`, weight }));
      const picks = Array.from({ length: 400 }, () => chooseTargetGroup(groups, random));
      const total = weights.reduce((a, b) => a + b, 0);
      groups.forEach(({ arn, weight }) => {
        const share = (picks.filter((p) => p === arn).length / picks.length) * 100;
        expect(Math.abs(share - (weight / total) * 100)).toBeLessThanOrEqual(5);
      });
    }
  });
});

describe("target group stickiness", () => {
  const sticky = (blue: number, green: number) => ({
    type: "forward" as const,
    targetGroups: [
      { arn: "blue", weight: blue },
      { arn: "green", weight: green },
    ],
    stickiness: { enabled: true, durationSeconds: 60 },
  });

  it("sets AWSALBTG on the first pick and keeps the client on that group while its weight is above 0", () => {
    const first = forwardTargetGroup(sticky(1, 1), undefined, () => 0.1);
    expect(first.arn).toBe("blue");
    expect(first.setCookie).toMatch(/^AWSALBTG=[\w-]+; Max-Age=60; Path=\/$/);
    const cookie = `other=1; ${first.setCookie!.split(";")[0]}`;
    expect(forwardTargetGroup(sticky(1, 999), cookie, () => 0.9)).toEqual({ arn: "blue" });
    expect(forwardTargetGroup(sticky(0, 1), cookie, () => 0.1).arn).toBe("green");
  });

  it("ignores the cookie when stickiness is off or the group left the action", () => {
    const cookie = forwardTargetGroup(sticky(1, 0), undefined).setCookie!.split(";")[0];
    expect(forwardTargetGroup({ ...sticky(0, 1), stickiness: { enabled: false } }, cookie)).toEqual({
      arn: "green",
    });
    expect(
      forwardTargetGroup({ ...sticky(1, 1), targetGroups: [{ arn: "green", weight: 1 }] }, cookie).arn,
    ).toBe("green");
  });
});

/** mulberry32: a small seeded generator, so the share test gives the same picks on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
