import { request } from "node:http";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Backend,
  freePort,
  startBackend,
  startTestRegion,
  type TestRegion,
  waitFor,
} from "../src/testing/index.js";

// A target whose process died while it is still registered and healthy (a task killed -9, in the
// moments before the region sees the exit): a safe request without a body that it refuses goes to
// another target instead of answering 502; a request with a body does not (nothing to replay).

let region: TestRegion;
let elb: ElasticLoadBalancingV2Client;
let port: number;
let groupArn: string;
const alive: Backend[] = [];

function send(method: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, method, path: "/", headers: { host: "localhost" }, agent: false },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          text += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

beforeAll(async () => {
  region = await startTestRegion([]);
  elb = region.client(ElasticLoadBalancingV2Client);
  port = await freePort();
  const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: "edge" }))).LoadBalancers![0]!;
  groupArn = (
    await elb.send(
      new CreateTargetGroupCommand({
        Name: "pair",
        Protocol: "HTTP",
        Port: 80,
        HealthCheckPath: "/healthz",
        HealthCheckIntervalSeconds: 5,
        HealthCheckTimeoutSeconds: 2,
        HealthyThresholdCount: 2,
        // 10 failed checks 5 s apart: the dead target stays healthy through the test.
        UnhealthyThresholdCount: 10,
      }),
    )
  ).TargetGroups![0]!.TargetGroupArn!;
  await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancerArn,
      Port: port,
      Protocol: "HTTP",
      DefaultActions: [{ Type: "forward", TargetGroupArn: groupArn }],
    }),
  );
  for (const name of ["live", "doomed"])
    alive.push(
      await startBackend((req, res) => {
        req.resume();
        res.end(name);
      }),
    );
  await elb.send(
    new RegisterTargetsCommand({
      TargetGroupArn: groupArn,
      Targets: alive.map((b) => ({ Id: "i-local", Port: b.port })),
    }),
  );
  await waitFor(
    "both targets healthy",
    async () => {
      const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: groupArn }));
      const states = (out.TargetHealthDescriptions ?? []).map((d) => d.TargetHealth?.State);
      return (states.length === 2 && states.every((s) => s === "healthy")) || undefined;
    },
    20_000,
  );
  // Requests reach both while both live (round robin).
  const names = new Set((await Promise.all([send("GET"), send("GET"), send("GET")])).map((r) => r.body));
  expect(names).toEqual(new Set(["live", "doomed"]));
  // The doomed target's process is gone; it stays registered and healthy.
  await alive[1]!.close();
}, 60_000);

afterAll(async () => {
  await region?.cleanup();
  await alive[0]?.close();
});

describe("a registered target that refuses connections", () => {
  it("a GET or HEAD is answered by another target, never 502", async () => {
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await send(i % 3 === 2 ? "HEAD" : "GET"));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(answers.filter((a) => a.body !== "").every((a) => a.body === "live")).toBe(true);
    const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: groupArn }));
    expect(out.TargetHealthDescriptions?.map((d) => d.TargetHealth?.State)).toEqual(["healthy", "healthy"]);
  });

  it("a request with a body is not sent twice: the one that meets the dead target is a 502", async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await send("POST", "payload")).status);
    expect(statuses.filter((s) => s === 502).length).toBe(2);
    expect(statuses.filter((s) => s === 200).length).toBe(2);
  });
});
