import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { startTestRegion, type TestRegion } from "@platform/local-region/testing";
import { captureLog, metricStatistic } from "@platform/telemetry/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gstSpawnObservers } from "../src/media/gst-process.js";
import { filterPipeline, TestRpc } from "./helpers/rpc-client.js";
import { startTestServer } from "./helpers/server.js";

// The media server's lines and metrics: access lines, PipelineFailed when GStreamer cannot start
// or dies, and PipelinesStarted / PipelinesFailed / ActivePipelines in a local region's CloudWatch.

let region: TestRegion;
const saved = { ...process.env };

beforeAll(async () => {
  region = await startTestRegion();
  Object.assign(process.env, {
    AWS_REGION: "eu-west-1",
    AWS_ENDPOINT_URL: region.endpoint,
    AWS_ACCESS_KEY_ID: region.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: region.credentials.secretAccessKey,
  });
});
afterAll(async () => {
  process.env = saved;
  await region.cleanup();
});

describe("the media server's telemetry", () => {
  it("logs PipelineFailed with the pipeline, its session and the reason, and publishes pipeline metrics", async () => {
    const { lines, log } = captureLog({ service: "media-server", env: "qa", version: "t", taskId: "task-1" });
    const server = await startTestServer({ AWS_REGION: "eu-west-1", ENVIRONMENT: "qa" }, log);
    await fetch(`${server.url}/media/healthz`, { headers: { "X-Request-Id": "lb-1" } });

    const rpc = await TestRpc.open(server.url);
    const { pipeline, endpoint, filter } = await filterPipeline(rpc, "EdgeDetectFilter");
    // No gst-launch on the PATH: the pipeline's GStreamer process cannot start.
    process.env.PATH = "/nonexistent";
    const spawned: number[] = [];
    const observe = (pid: number) => spawned.push(pid);
    gstSpawnObservers.add(observe);
    await rpc.invoke(endpoint, "connect", { sink: filter });
    await rpc.invoke(filter, "connect", { sink: endpoint });
    const error = await rpc.waitForEvent((e) => e.type === "Error");
    process.env.PATH = saved.PATH;
    expect(error.data.description).toMatch(/could not start/);
    // It is restarted once gst-launch can be found again.
    await expect.poll(() => spawned.length, { timeout: 10_000 }).toBeGreaterThan(0);
    gstSpawnObservers.delete(observe);
    await rpc.value("release", { object: pipeline });
    await rpc.close();
    await server.close();

    const failed = lines.find((l) => l.event === "PipelineFailed");
    expect(failed).toMatchObject({
      level: "error",
      message: "pipeline failed",
      service: "media-server",
      taskId: "task-1",
      pipelineId: pipeline,
      sessionId: expect.any(String),
      reason: expect.stringMatching(/gst-launch could not start/),
    });
    expect(lines.find((l) => l.message === "pipeline created")).toMatchObject({
      pipelineId: pipeline,
      sessionId: failed!.sessionId,
    });
    expect(lines.find((l) => l.message === "request")).toMatchObject({
      level: "http",
      method: "GET",
      path: "/media/healthz",
      status: 200,
      requestId: "lb-1",
    });

    const cw = region.client(CloudWatchClient);
    const stat = (name: string, statistic: "Sum" | "Maximum") =>
      metricStatistic(cw, { namespace: "Platform/MediaServer", name, environment: "qa" }, statistic);
    expect(await stat("PipelinesStarted", "Sum")).toBe(1);
    expect(await stat("PipelinesFailed", "Sum")).toBe(1);
    expect(await stat("ActivePipelines", "Maximum")).toBe(0);
  });
});
