import { Agent, request } from "node:http";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import {
  type Backend,
  freePorts,
  startBackend,
  startTestRegion,
  type TestRegion,
} from "../src/testing/index.js";

// Weighted forward actions under a blue/green shift, over the wire: a production listener whose
// default action splits between blue and green, and a second (test) listener with a host rule.

let region: TestRegion;
let elb: ElasticLoadBalancingV2Client;
let prodPort: number;
let testPort: number;
let prodListenerArn = "";
let testRuleArn = "";
const tg: Record<"blue" | "green", string> = { blue: "", green: "" };
const targetPort: Record<"blue" | "green", number> = { blue: 0, green: 0 };
const backends: Backend[] = [];
const parked: (() => void)[] = [];

/** Answers its colour; `/slow` waits until the test releases it; WebSockets echo with the colour. */
async function colouredBackend(colour: "blue" | "green"): Promise<number> {
  const backend = await startBackend((req, res) => {
    if (req.url === "/slow") {
      parked.push(() => res.end(`${colour} slow`));
      return;
    }
    res.end(colour);
  });
  const wss = new WebSocketServer({ server: backend.server });
  wss.on("connection", (socket) => socket.on("message", (m) => socket.send(`${colour}:${String(m)}`)));
  backends.push(backend);
  return backend.port;
}

async function createGroup(name: string): Promise<string> {
  const out = await elb.send(
    new CreateTargetGroupCommand({ Name: name, Protocol: "HTTP", Port: 80, HealthCheckPath: "/healthz" }),
  );
  const arn = out.TargetGroups![0]!.TargetGroupArn!;
  await elb.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: arn,
      Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "1" }],
    }),
  );
  return arn;
}

function weighted(blue: number, green: number) {
  return [
    {
      Type: "forward" as const,
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: tg.blue, Weight: blue },
          { TargetGroupArn: tg.green, Weight: green },
        ],
      },
    },
  ];
}

async function shiftProduction(blue: number, green: number): Promise<void> {
  await elb.send(
    new ModifyListenerCommand({ ListenerArn: prodListenerArn, DefaultActions: weighted(blue, green) }),
  );
}

async function shiftTest(blue: number, green: number): Promise<void> {
  await elb.send(new ModifyRuleCommand({ RuleArn: testRuleArn, Actions: weighted(blue, green) }));
}

interface Answer {
  body: string;
  reusedSocket: boolean;
  /** The stickiness cookie as a client sends it back (name=value). */
  setCookie?: string;
}

function get(port: number, path = "/", agent: Agent | false = false, cookie?: string): Promise<Answer> {
  const headers = { host: "app.localhost", ...(cookie ? { cookie } : {}) };
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers, agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      const setCookie = res.headers["set-cookie"]?.[0]?.split(";")[0];
      res.on("end", () =>
        resolve({ body, reusedSocket: req.reusedSocket, ...(setCookie ? { setCookie } : {}) }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

/** How many of `count` sequential keep-alive requests each colour answered. */
async function tally(port: number, count: number, agent: Agent): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const { body } = await get(port, "/", agent);
    seen[body] = (seen[body] ?? 0) + 1;
  }
  return seen;
}

function openSocket(port: number): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { host: "app.localhost" } });
  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve(socket));
    socket.once("error", reject);
  });
}

function echo(socket: WebSocket, text: string): Promise<string> {
  return new Promise((resolve) => {
    socket.once("message", (m) => resolve(String(m)));
    socket.send(text);
  });
}

function keepAlive(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1 });
}

beforeAll(async () => {
  region = await startTestRegion();
  elb = region.client(ElasticLoadBalancingV2Client);
  [prodPort, testPort] = (await freePorts(2)) as [number, number];
  const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: "bluegreen" }))).LoadBalancers![0]!;
  tg.blue = await createGroup("app-blue");
  tg.green = await createGroup("app-green");
  targetPort.blue = await colouredBackend("blue");
  targetPort.green = await colouredBackend("green");
  for (const colour of ["blue", "green"] as const)
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: tg[colour],
        Targets: [{ Id: "i-local", Port: targetPort[colour] }],
      }),
    );
  const listener = (
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Port: prodPort,
        Protocol: "HTTP",
        DefaultActions: weighted(1, 0),
      }),
    )
  ).Listeners![0]!;
  prodListenerArn = listener.ListenerArn!;
  const testListener = (
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Port: testPort,
        Protocol: "HTTP",
        DefaultActions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "404" } }],
      }),
    )
  ).Listeners![0]!;
  const rule = await elb.send(
    new CreateRuleCommand({
      ListenerArn: testListener.ListenerArn,
      Priority: 1,
      Conditions: [{ Field: "host-header", Values: ["app.localhost"] }],
      Actions: weighted(1, 0),
    }),
  );
  testRuleArn = rule.Rules![0]!.RuleArn!;
}, 30_000);

afterAll(async () => {
  for (const release of parked.splice(0)) release();
  await region?.cleanup();
  for (const backend of backends) await backend.close();
});

describe("weighted forward actions under a blue/green shift", () => {
  it("serves two listeners of one load balancer, each by its own weights", async () => {
    await shiftTest(0, 1);
    expect((await get(prodPort)).body).toBe("blue");
    expect((await get(testPort)).body).toBe("green");
    await shiftTest(1, 0);
  });

  it("applies a ModifyRule weight change to the next request and lets the one in flight finish", async () => {
    const agent = keepAlive();
    const inFlight = get(testPort, "/slow");
    while (parked.length === 0) await new Promise((r) => setTimeout(r, 10));
    expect((await get(testPort, "/", agent)).body).toBe("blue");
    await shiftTest(0, 1);
    const next = await get(testPort, "/", agent);
    expect(next).toEqual({ body: "green", reusedSocket: true });
    parked.shift()!();
    expect((await inFlight).body).toBe("blue slow");
    agent.destroy();
    await shiftTest(1, 0);
  });

  it("does not pin a keep-alive connection to the group it was first routed to", async () => {
    const agent = keepAlive();
    expect(await tally(prodPort, 20, agent)).toEqual({ blue: 20 });
    await shiftProduction(0, 1);
    expect(await tally(prodPort, 20, agent)).toEqual({ green: 20 });
    await shiftProduction(1, 1);
    const mixed = await tally(prodPort, 100, agent);
    expect(mixed.blue).toBeGreaterThan(0);
    expect(mixed.green).toBeGreaterThan(0);
    agent.destroy();
    await shiftProduction(1, 0);
  });

  it("splits 1,000 requests within ±5 points of a 10/90 and a 25/75 weight", async () => {
    const agent = keepAlive();
    for (const [blue, green] of [
      [10, 90],
      [25, 75],
    ] as const) {
      await shiftProduction(blue, green);
      const seen = await tally(prodPort, 1000, agent);
      expect(Math.abs((seen.green ?? 0) / 10 - green)).toBeLessThanOrEqual(5);
    }
    agent.destroy();
    await shiftProduction(1, 0);
  }, 30_000);

  it("keeps a WebSocket opened on blue up after the shift until blue is drained, then closes it", async () => {
    const socket = await openSocket(prodPort);
    expect(await echo(socket, "before")).toBe("blue:before");
    let closedAt = 0;
    socket.once("close", () => {
      closedAt = Date.now();
    });
    await shiftProduction(0, 1);
    const fresh = await openSocket(prodPort);
    expect(await echo(fresh, "new")).toBe("green:new");
    await new Promise((r) => setTimeout(r, 300));
    expect(await echo(socket, "after the shift")).toBe("blue:after the shift");
    expect(closedAt).toBe(0);
    const deregisteredAt = Date.now();
    await elb.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: tg.blue,
        Targets: [{ Id: "i-local", Port: targetPort.blue }],
      }),
    );
    expect(await echo(socket, "draining")).toBe("blue:draining");
    await new Promise<void>((resolve) => (closedAt ? resolve() : socket.once("close", () => resolve())));
    expect(closedAt - deregisteredAt).toBeGreaterThanOrEqual(900);
    expect(await echo(fresh, "still")).toBe("green:still");
    fresh.close();
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: tg.blue,
        Targets: [{ Id: "i-local", Port: targetPort.blue }],
      }),
    );
    await shiftProduction(1, 0);
  });

  it("refuses a bad weighted forward action over the wire and keeps the rule as it was", async () => {
    const refused = async (Actions: object[]) => {
      const error = await elb
        .send(new ModifyRuleCommand({ RuleArn: testRuleArn, Actions: Actions as never }))
        .then(
          () => undefined,
          (e: Error) => e,
        );
      return `${error?.name}: ${error?.message}`;
    };
    const forward = weighted(1, 1)[0]!;
    expect(await refused([{ ...forward, TargetGroupArn: tg.blue }])).toMatch(
      /^ValidationError: You cannot specify both a TargetGroupArn and a ForwardConfig/,
    );
    const sticky = (DurationSeconds: number) => ({
      ...forward,
      ForwardConfig: {
        ...forward.ForwardConfig,
        TargetGroupStickinessConfig: { Enabled: true, DurationSeconds },
      },
    });
    expect(await refused([sticky(0)])).toBe(
      "ValidationError: Target group stickiness duration must be between 1 and 604800 seconds",
    );
    expect(
      await refused([
        ...weighted(1, 1),
        { Type: "fixed-response", FixedResponseConfig: { StatusCode: "200" } },
      ]),
    ).toBe("ValidationError: Only one action can be specified per rule");
    expect((await get(testPort)).body).toBe("blue");
    await elb.send(new ModifyRuleCommand({ RuleArn: testRuleArn, Actions: [sticky(3600)] }));
    const described = await elb.send(new DescribeRulesCommand({ RuleArns: [testRuleArn] }));
    expect(described.Rules![0]!.Actions![0]!.ForwardConfig).toEqual({
      TargetGroups: [
        { TargetGroupArn: tg.blue, Weight: 1 },
        { TargetGroupArn: tg.green, Weight: 1 },
      ],
      TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 3600 },
    });
    await shiftTest(1, 0);
  });

  it("keeps a sticky client on its group while that group's weight is above 0, then moves it", async () => {
    const sticky = (blue: number, green: number) => [
      {
        ...weighted(blue, green)[0]!,
        ForwardConfig: {
          ...weighted(blue, green)[0]!.ForwardConfig,
          TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 60 },
        },
      },
    ];
    await elb.send(new ModifyRuleCommand({ RuleArn: testRuleArn, Actions: sticky(1, 0) }));
    const first = await get(testPort);
    expect(first.body).toBe("blue");
    expect(first.setCookie).toMatch(/^AWSALBTG=/);
    await elb.send(new ModifyRuleCommand({ RuleArn: testRuleArn, Actions: sticky(1, 999) }));
    const stuck = await Promise.all(
      Array.from({ length: 20 }, () => get(testPort, "/", false, first.setCookie)),
    );
    expect(stuck.map((a) => a.body)).toEqual(Array(20).fill("blue"));
    expect(stuck.every((a) => a.setCookie === undefined)).toBe(true);
    await elb.send(new ModifyRuleCommand({ RuleArn: testRuleArn, Actions: sticky(0, 1) }));
    const moved = await get(testPort, "/", false, first.setCookie);
    expect(moved.body).toBe("green");
    expect(moved.setCookie).toMatch(/^AWSALBTG=/);
    await shiftTest(1, 0);
  });
});
