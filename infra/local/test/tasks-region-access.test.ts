import { createRequire } from "node:module";
import { dirname } from "node:path";
import {
  CloudWatchClient,
  GetMetricStatisticsCommand,
  type GetMetricStatisticsCommandInput,
} from "@aws-sdk/client-cloudwatch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EcsTestRegion, type TestApp, waitFor } from "../src/testing/index.js";

// A task talks to its region as it would on ECS: its SDK finds the endpoint in AWS_ENDPOINT_URL
// and the task role's credentials on the container credentials endpoint, with no other
// configuration; and the task runner publishes the service's AWS/ECS utilization.

const MINUTE = 60_000;
/** The folder holding @aws-sdk/client-cloudwatch, for the image's NODE_PATH: an image has no node_modules. */
const NODE_PATH = dirname(
  dirname(dirname(createRequire(import.meta.url).resolve("@aws-sdk/client-cloudwatch/package.json"))),
);

let region: EcsTestRegion;
let app: TestApp;
let cw: CloudWatchClient;

beforeAll(async () => {
  region = await EcsTestRegion.start({ taskPorts: { from: 43600, to: 43649 } });
  cw = region.region.client(CloudWatchClient);
  await region.createEdge();
  app = await region.createApp("probe", "probe.localhost", 10);
  const image = await region.pushImage(app, "v1", { NODE_PATH });
  const taskDefinition = await region.registerApp(app, image, {
    cpu: 256,
    taskRoleArn: "arn:aws:iam::000000000000:role/probe-task",
  });
  await region.createService(app, taskDefinition);
  await region.steady(app);
}, 90_000);
afterAll(async () => {
  await region?.region.cleanup();
});

async function statistic(input: Omit<GetMetricStatisticsCommandInput, "StartTime" | "EndTime" | "Period">) {
  const now = Date.now();
  const out = await cw.send(
    new GetMetricStatisticsCommand({
      StartTime: new Date(now - 5 * MINUTE),
      EndTime: new Date(now + MINUTE),
      Period: 600,
      ...input,
    }),
  );
  return out.Datapoints?.[0];
}

describe("a task and its region", () => {
  it("gets AWS_ENDPOINT_URL and a loopback credentials endpoint, and no keys of its own", async () => {
    const env = JSON.parse((await region.get(app, "/env")).body) as Record<string, string>;
    expect(env.AWS_ENDPOINT_URL).toBe(region.region.endpoint);
    expect(env.AWS_CONTAINER_CREDENTIALS_FULL_URI).toMatch(
      new RegExp(`^${region.region.endpoint}/v2/credentials/[0-9a-f]{32}$`),
    );
    expect(env.AWS_CONTAINER_AUTHORIZATION_TOKEN).toMatch(/^[0-9a-f]{64}$/);
    expect(env).not.toHaveProperty("AWS_ACCESS_KEY_ID");
    expect(env).not.toHaveProperty("AWS_PROFILE");

    const refused = await fetch(env.AWS_CONTAINER_CREDENTIALS_FULL_URI!, {
      headers: { authorization: "guess" },
    });
    expect(refused.status).toBe(401);
    const served = await fetch(env.AWS_CONTAINER_CREDENTIALS_FULL_URI!, {
      headers: { authorization: env.AWS_CONTAINER_AUTHORIZATION_TOKEN! },
    });
    expect(await served.json()).toMatchObject({
      AccessKeyId: region.region.credentials.accessKeyId,
      Token: expect.any(String),
      Expiration: expect.stringMatching(/Z$/),
    });
  });

  it("its SDK call reaches the region's CloudWatch with those credentials alone", async () => {
    const answer = await region.get(app, "/put-metric");
    expect(answer).toEqual({ status: 200, body: "put" });
    const point = await statistic({ Namespace: "TestImage", MetricName: "Calls", Statistics: ["Sum"] });
    expect(point?.Sum).toBe(1);
  });

  it("the service's CPUUtilization and MemoryUtilization reach AWS/ECS", async () => {
    const dimensions = [
      { Name: "ClusterName", Value: "platform" },
      { Name: "ServiceName", Value: "probe" },
    ];
    const memory = await waitFor(
      "MemoryUtilization",
      () =>
        statistic({
          Namespace: "AWS/ECS",
          MetricName: "MemoryUtilization",
          Dimensions: dimensions,
          Statistics: ["Average"],
        }),
      25_000,
    );
    // The test server's node process: tens of MiB of its 256 MiB reservation.
    expect(memory.Average).toBeGreaterThan(1);
    expect(memory.Average).toBeLessThan(100);
    expect(memory.Unit).toBe("Percent");
    const cpu = await statistic({
      Namespace: "AWS/ECS",
      MetricName: "CPUUtilization",
      Dimensions: dimensions,
      Statistics: ["Maximum"],
    });
    // An idle server: a few percent of a quarter core at most, but a number.
    expect(cpu?.Maximum).toBeGreaterThanOrEqual(0);
    expect(cpu?.Maximum).toBeLessThan(100);
  }, 30_000);
});
