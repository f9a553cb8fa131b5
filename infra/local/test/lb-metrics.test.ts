import { request } from "node:http";
import {
  CloudWatchClient,
  GetMetricStatisticsCommand,
  type GetMetricStatisticsCommandInput,
  PutMetricAlarmCommand,
} from "@aws-sdk/client-cloudwatch";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AlbMetrics,
  loadBalancerDimension,
  MAX_DISTINCT_TIMES,
  targetGroupDimension,
} from "../src/runtime/load-balancer/alb-metrics.js";
import { MetricStore } from "../src/services/cloudwatch/metric-store.js";
import {
  type Backend,
  freePort,
  startBackend,
  startTestRegion,
  type TestRegion,
  waitFor,
} from "../src/testing/index.js";

// AWS/ApplicationELB's metrics: the per-minute aggregator on its own, then the load balancer
// publishing them into the region's CloudWatch, read back through the SDK.

const LB = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/edge/0123456789abcdef";
const TG = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/api-qa/fedcba9876543210";
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);
const GROUP = [
  { Name: "TargetGroup", Value: "targetgroup/api-qa/fedcba9876543210" },
  { Name: "LoadBalancer", Value: "app/edge/0123456789abcdef" },
];
const LB_ONLY = [{ Name: "LoadBalancer", Value: "app/edge/0123456789abcdef" }];

describe("ALB metrics aggregator", () => {
  it("names dimensions as AWS does: the ARNs' suffixes", () => {
    expect(loadBalancerDimension(LB)).toBe("app/edge/0123456789abcdef");
    expect(targetGroupDimension(TG)).toBe("targetgroup/api-qa/fedcba9876543210");
  });

  it("counts requests and status classes per target group and per load balancer; ELB answers per load balancer", () => {
    const m = new AlbMetrics();
    m.targetResponse(T0 + 1000, LB, TG, 200, 12);
    m.targetResponse(T0 + 2000, LB, TG, 503, 40);
    m.elbResponse(T0 + 3000, LB, 502, TG);
    m.elbResponse(T0 + 4000, LB, 503);
    m.elbResponse(T0 + 5000, LB, 404);
    const data = m.drain(T0 + 10_000);
    const sum = (name: string, dims: object) =>
      data
        .filter((d) => d.MetricName === name && JSON.stringify(d.Dimensions) === JSON.stringify(dims))
        .reduce((n, d) => n + (d.Value ?? 0), 0);
    expect(sum("RequestCount", GROUP)).toBe(3);
    expect(sum("RequestCount", LB_ONLY)).toBe(3);
    expect(sum("HTTPCode_Target_2XX_Count", GROUP)).toBe(1);
    expect(sum("HTTPCode_Target_5XX_Count", GROUP)).toBe(1);
    expect(sum("HTTPCode_Target_5XX_Count", LB_ONLY)).toBe(1);
    expect(sum("HTTPCode_ELB_5XX_Count", LB_ONLY)).toBe(2);
    expect(sum("HTTPCode_ELB_4XX_Count", LB_ONLY)).toBe(1);
    expect(data.some((d) => d.MetricName === "HTTPCode_Target_4XX_Count")).toBe(false);
    expect(data.every((d) => d.Timestamp?.getTime() === T0)).toBe(true);
    expect(m.drain(T0 + 20_000)).toEqual([]);
  });

  it("response times go out as seconds in Values/Counts, so the store's p95 is the real one", () => {
    const m = new AlbMetrics();
    for (let i = 1; i <= 100; i++) m.targetResponse(T0 + i * 100, LB, TG, 200, i);
    const times = m.drain(T0 + 30_000).filter((d) => d.MetricName === "TargetResponseTime");
    expect(times).toHaveLength(2);
    expect(times[0]).toMatchObject({ Unit: "Seconds", Dimensions: GROUP });
    expect(times[0]?.Values?.slice(0, 3)).toEqual([0.001, 0.002, 0.003]);
    const store = new MetricStore();
    store.put("AWS/ApplicationELB", times, T0 + 30_000, "allowed");
    const [point] = store.getMetricStatistics({
      Namespace: "AWS/ApplicationELB",
      MetricName: "TargetResponseTime",
      Dimensions: GROUP,
      StartTime: new Date(T0),
      EndTime: new Date(T0 + MINUTE),
      Period: 60,
      ExtendedStatistics: ["p95"],
    });
    expect(point?.ExtendedStatistics?.p95).toBe(0.095);
  });

  it("two drains in one minute hand out only what is new: the store adds them up", () => {
    const m = new AlbMetrics();
    m.targetResponse(T0 + 1000, LB, TG, 200, 5);
    const first = m.drain(T0 + 10_000);
    m.targetResponse(T0 + 11_000, LB, TG, 200, 5);
    m.targetResponse(T0 + 12_000, LB, TG, 200, 5);
    const second = m.drain(T0 + 20_000);
    const requests = (data: typeof first) =>
      data.find((d) => d.MetricName === "RequestCount" && d.Dimensions?.length === 2)?.Value;
    expect(requests(first)).toBe(1);
    expect(requests(second)).toBe(2);
  });

  it("host counts go out once their minute is over, as the minute's min, max and average", () => {
    const m = new AlbMetrics();
    m.hosts(T0 + 10_000, LB, TG, 2, 0);
    m.hosts(T0 + 20_000, LB, TG, 1, 1);
    expect(m.drain(T0 + 30_000)).toEqual([]);
    const data = m.drain(T0 + MINUTE + 1000);
    expect(data.find((d) => d.MetricName === "HealthyHostCount")).toMatchObject({
      Dimensions: GROUP,
      Timestamp: new Date(T0),
      StatisticValues: { Minimum: 1, Maximum: 2, Sum: 3, SampleCount: 2 },
    });
    expect(data.find((d) => d.MetricName === "UnHealthyHostCount")?.StatisticValues).toMatchObject({
      Maximum: 1,
    });
    expect(m.drain(T0 + 2 * MINUTE)).toEqual([]);
  });

  it("bounds a minute's distinct response times: past the cap a time joins its nearest neighbour", () => {
    const m = new AlbMetrics();
    for (let i = 0; i < MAX_DISTINCT_TIMES + 500; i++) m.targetResponse(T0, LB, TG, 200, i * 2);
    const times = m
      .drain(T0 + 1000)
      .filter((d) => d.MetricName === "TargetResponseTime" && d.Dimensions?.length === 2);
    const values = times.flatMap((d) => d.Values ?? []);
    const counts = times.flatMap((d) => d.Counts ?? []);
    expect(values).toHaveLength(MAX_DISTINCT_TIMES);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(MAX_DISTINCT_TIMES + 500);
    expect(times.every((d) => (d.Values?.length ?? 0) <= 150)).toBe(true);
  });
});

describe("the load balancer publishes AWS/ApplicationELB", () => {
  let region: TestRegion;
  let backend: Backend;
  let cw: CloudWatchClient;
  let port: number;
  let dims: { group: { Name: string; Value: string }[]; lb: { Name: string; Value: string }[] };

  beforeAll(async () => {
    region = await startTestRegion();
    const elb = region.client(ElasticLoadBalancingV2Client);
    cw = region.client(CloudWatchClient);
    backend = await startBackend((req, res) => {
      if (req.url === "/boom") return void res.writeHead(500).end("boom");
      setTimeout(() => res.writeHead(200).end("ok"), req.url === "/slow" ? 120 : 0);
    });
    port = await freePort();
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: "edge" }))).LoadBalancers![0]!;
    const group = async (Name: string) =>
      (
        await elb.send(
          new CreateTargetGroupCommand({
            Name,
            Protocol: "HTTP",
            Port: 80,
            HealthCheckPath: "/",
            HealthCheckIntervalSeconds: 5,
            HealthCheckTimeoutSeconds: 2,
            HealthyThresholdCount: 2,
          }),
        )
      ).TargetGroups![0]!.TargetGroupArn!;
    const api = await group("api-qa");
    const empty = await group("empty");
    const listener = (
      await elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Port: port,
          Protocol: "HTTP",
          DefaultActions: [{ Type: "forward", TargetGroupArn: api }],
        }),
      )
    ).Listeners![0]!;
    await elb.send(
      new CreateRuleCommand({
        ListenerArn: listener.ListenerArn,
        Priority: 1,
        Conditions: [{ Field: "host-header", Values: ["empty.localhost"] }],
        Actions: [{ Type: "forward", TargetGroupArn: empty }],
      }),
    );
    await elb.send(
      new RegisterTargetsCommand({ TargetGroupArn: api, Targets: [{ Id: "i-local", Port: backend.port }] }),
    );
    await region.settled();
    await waitFor("a healthy target", async () => {
      const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: api }));
      return out.TargetHealthDescriptions?.[0]?.TargetHealth?.State === "healthy" || undefined;
    });
    dims = {
      group: [
        { Name: "TargetGroup", Value: targetGroupDimension(api) },
        { Name: "LoadBalancer", Value: loadBalancerDimension(lb.LoadBalancerArn!) },
      ],
      lb: [{ Name: "LoadBalancer", Value: loadBalancerDimension(lb.LoadBalancerArn!) }],
    };
  });
  afterAll(async () => {
    await region?.cleanup();
    await backend?.close();
  });

  /** Node's fetch does not send a Host header of our choosing; http.request does. */
  const call = (path: string, host = "localhost") =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path, headers: { host }, agent: false }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      req.on("error", reject);
      req.end();
    });

  async function statistic(
    input: Omit<GetMetricStatisticsCommandInput, "Namespace" | "StartTime" | "EndTime" | "Period">,
  ) {
    const now = Date.now();
    const out = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: "AWS/ApplicationELB",
        StartTime: new Date(now - 5 * MINUTE),
        EndTime: new Date(now + MINUTE),
        Period: 600,
        ...input,
      }),
    );
    return out.Datapoints?.[0];
  }

  it("requests, status codes, response times and the load balancer's own 503s reach CloudWatch within an interval", async () => {
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push(await call("/"));
    statuses.push(await call("/slow"), await call("/boom"), await call("/", "empty.localhost"));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 500, 503]);
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: "api-qa-5xx",
        Namespace: "AWS/ApplicationELB",
        MetricName: "HTTPCode_Target_5XX_Count",
        Dimensions: dims.group,
        Statistic: "Sum",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
      }),
    );
    const requests = await waitFor(
      "RequestCount",
      () => statistic({ MetricName: "RequestCount", Dimensions: dims.group, Statistics: ["Sum"] }),
      15_000,
    );
    expect(requests.Sum).toBe(10);
    expect(
      (await statistic({ MetricName: "RequestCount", Dimensions: dims.lb, Statistics: ["Sum"] }))?.Sum,
    ).toBe(10);
    expect(
      (
        await statistic({
          MetricName: "HTTPCode_Target_5XX_Count",
          Dimensions: dims.group,
          Statistics: ["Sum"],
        })
      )?.Sum,
    ).toBe(1);
    expect(
      (
        await statistic({
          MetricName: "HTTPCode_Target_2XX_Count",
          Dimensions: dims.group,
          Statistics: ["Sum"],
        })
      )?.Sum,
    ).toBe(9);
    expect(
      (await statistic({ MetricName: "HTTPCode_ELB_5XX_Count", Dimensions: dims.lb, Statistics: ["Sum"] }))
        ?.Sum,
    ).toBe(1);
    const times = await statistic({
      MetricName: "TargetResponseTime",
      Dimensions: dims.group,
      ExtendedStatistics: ["p95"],
    });
    expect(times?.Unit).toBe("Seconds");
    expect(times?.ExtendedStatistics?.p95).toBeGreaterThanOrEqual(0.1);
    expect(times?.ExtendedStatistics?.p95).toBeLessThan(5);
  }, 30_000);
});
