import { CloudWatchClient, ListMetricsCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { LogsPlugin } from "@platform/local-region";
import { freePort, startTestRegion, type TestRegion } from "@platform/local-region/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cloudWatchClient, cloudWatchLogsClient } from "../src/aws-clients.js";
import { createLogger } from "../src/logger.js";
import { MetricsPublisher, metricDataInput, metricsConfigured } from "../src/metrics.js";
import { captureLines, metricStatistic } from "../src/testing.js";
import { flakyProxy } from "./helpers/flaky-proxy.js";

// The apps' clients are built with no endpoint of their own: the SDK's standard configuration
// (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>) must reach the local region by itself.

let region: TestRegion;
let closed: string;
const saved = { ...process.env };

beforeAll(async () => {
  region = await startTestRegion([new LogsPlugin()]);
  closed = `http://127.0.0.1:${await freePort()}`;
});
afterAll(() => region.cleanup());
beforeEach(() => {
  process.env = { ...saved };
  for (const key of Object.keys(process.env)) if (key.startsWith("AWS_")) delete process.env[key];
  Object.assign(process.env, {
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: region.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: region.credentials.secretAccessKey,
  });
});

describe("the apps' AWS clients", () => {
  it("reach the endpoint AWS_ENDPOINT_URL names", async () => {
    process.env.AWS_ENDPOINT_URL = region.endpoint;
    await cloudWatchLogsClient().send(new CreateLogGroupCommand({ logGroupName: "/endpoint/generic" }));
    const groups = await region.client(CloudWatchLogsClient).send(new DescribeLogGroupsCommand({}));
    expect(groups.logGroups?.map((g) => g.logGroupName)).toContain("/endpoint/generic");
  });

  it("prefer AWS_ENDPOINT_URL_<SERVICE> over AWS_ENDPOINT_URL", async () => {
    process.env.AWS_ENDPOINT_URL = closed;
    process.env.AWS_ENDPOINT_URL_CLOUDWATCH = region.endpoint;
    const input = metricDataInput(
      "Platform/Endpoint",
      "qa",
      [{ name: "Probe", value: 1, unit: "Count" }],
      new Date(),
    );
    await cloudWatchClient().send(new PutMetricDataCommand(input));
    const listed = await region
      .client(CloudWatchClient)
      .send(new ListMetricsCommand({ Namespace: "Platform/Endpoint" }));
    expect(listed.Metrics?.map((m) => m.MetricName)).toEqual(["Probe"]);
  });
});

describe("the metrics publisher", () => {
  it("sends counts since the last send and gauges, with the Environment dimension", async () => {
    process.env.AWS_ENDPOINT_URL = region.endpoint;
    const { stream } = captureLines();
    const log = createLogger({ service: "media-server", env: "qa", version: "t", taskId: "t", stream });
    let active = 2;
    const publisher = new MetricsPublisher({
      client: cloudWatchClient(),
      namespace: "Platform/MediaServer",
      environment: "qa",
      counters: ["PipelinesStarted", "PipelinesFailed"],
      gauges: () => [{ name: "ActivePipelines", value: active, unit: "Count" }],
      intervalMs: 60_000,
      log,
    });
    publisher.count("PipelinesStarted");
    publisher.count("PipelinesStarted");
    expect(await publisher.tick()).toBe(true);
    publisher.count("PipelinesFailed");
    active = 1;
    expect(await publisher.tick()).toBe(true);

    const cw = region.client(CloudWatchClient);
    const sum = (name: string, statistic: "Sum" | "Maximum" = "Sum") =>
      metricStatistic(cw, { namespace: "Platform/MediaServer", name, environment: "qa" }, statistic);
    expect(await sum("PipelinesStarted")).toBe(2);
    expect(await sum("PipelinesFailed")).toBe(1);
    expect(await sum("ActivePipelines", "Maximum")).toBe(2);
  });

  it("logs a failure streak once, keeps its counts, and says when it works again", async () => {
    const proxy = await flakyProxy(region.endpoint);
    process.env.AWS_ENDPOINT_URL = proxy.url;
    const { stream, lines } = captureLines();
    const log = createLogger({ service: "api", env: "qa", version: "t", taskId: "t", stream });
    const publisher = new MetricsPublisher({
      client: cloudWatchClient(),
      namespace: "Platform/Streak",
      environment: "qa",
      counters: ["JobsFailed"],
      intervalMs: 60_000,
      log,
    });
    publisher.count("JobsFailed", 3);
    for (let i = 0; i < 4; i++) expect(await publisher.tick()).toBe(false);
    proxy.setUp(true);
    expect(await publisher.tick()).toBe(true);
    await proxy.close();

    await expect.poll(() => lines.length).toBe(2);
    expect(lines[0]).toMatchObject({
      level: "warn",
      message: expect.stringMatching(/^publishing metrics failed/),
    });
    expect(lines[1]).toMatchObject({ level: "info", message: "publishing metrics works again", failures: 4 });
    // The failed sends kept their count: the first that got through sent all 3.
    const jobsFailed = { namespace: "Platform/Streak", name: "JobsFailed", environment: "qa" };
    expect(await metricStatistic(region.client(CloudWatchClient), jobsFailed, "Sum")).toBe(3);
  });

  it("publishes only where a region is configured", () => {
    expect(metricsConfigured({})).toBe(false);
    expect(metricsConfigured({ AWS_REGION: "eu-west-1" })).toBe(true);
  });
});
