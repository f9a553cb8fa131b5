import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  GetLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { LogsPlugin } from "@platform/local-region";
import { startTestRegion, type TestRegion } from "@platform/local-region/testing";
import { metricStatistic } from "@platform/telemetry/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/log.js";
import { startTestServiceWith, waitForJob } from "./helpers/service.js";

// The API's logs and metrics against a local region, with the SDK's standard configuration
// (AWS_REGION, AWS_ENDPOINT_URL) as the only way the service learns where CloudWatch is.

const GROUP = "/platform/test/api";
let region: TestRegion;

beforeAll(async () => {
  region = await startTestRegion([new LogsPlugin()]);
  Object.assign(process.env, {
    AWS_REGION: "eu-west-1",
    AWS_ENDPOINT_URL: region.endpoint,
    AWS_ACCESS_KEY_ID: region.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: region.credentials.secretAccessKey,
  });
  await region.client(CloudWatchLogsClient).send(new CreateLogGroupCommand({ logGroupName: GROUP }));
});
afterAll(() => region.cleanup());

describe("the API's telemetry", () => {
  it("logs an access line per request with the request and user ids, to its task's stream, and counts JobsFailed", async () => {
    const log = createLogger({
      level: "http",
      environment: "test",
      version: "1.2.3",
      taskId: "0f1e2d3c",
      cloudwatchLogGroup: GROUP,
      silent: true,
    });
    const svc = await startTestServiceWith({ AWS_REGION: "eu-west-1", ENVIRONMENT: "test" }, log);
    const { key } = await svc.addKey("alice");
    await fetch(`${svc.url}/healthz`, { headers: { "X-Request-Id": "lb-req-1" } });
    // Not a video: ffprobe refuses it in the worker, and the job ends in ERROR.
    await fetch(`${svc.url}/api/v1/objects/in/bad.mp4`, {
      method: "PUT",
      headers: { authorization: `Bearer ${key}`, "content-type": "video/mp4" },
      body: "not a video",
    });
    const submitted = await fetch(`${svc.url}/api/v1/jobs`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({
        input: "objects://in/bad.mp4",
        output: "objects://out/",
        profile: {
          ffmpeg: { codec: "h264", scale: "240p", bitrate: 1, profile: "quality", speed: "ultrafast" },
        },
      }),
    });
    const [{ jobid }] = (await submitted.json()) as [{ jobid: string }];
    expect((await waitForJob(svc.url, key, jobid)).status).toBe("ERROR");
    await svc.stop();

    const events = await region
      .client(CloudWatchLogsClient)
      .send(
        new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: "api/0f1e2d3c", startFromHead: true }),
      );
    const lines = (events.events ?? []).map((e) => JSON.parse(e.message!) as Record<string, unknown>);
    const requests = lines.filter((l) => l.message === "request");
    expect(requests.find((l) => l.path === "/healthz")).toMatchObject({
      level: "http",
      service: "api",
      env: "test",
      taskId: "0f1e2d3c",
      method: "GET",
      status: 200,
      requestId: "lb-req-1",
    });
    expect(requests.find((l) => l.path === "/api/v1/jobs")).toMatchObject({
      method: "POST",
      status: 201,
      userId: "alice",
      requestId: expect.any(String),
    });
    expect(lines.find((l) => l.event === "JobFailed")).toMatchObject({
      level: "warn",
      jobId: jobid,
      userId: "alice",
    });

    const jobsFailed = { namespace: "Platform/Transcoding", name: "JobsFailed", environment: "test" };
    expect(await metricStatistic(region.client(CloudWatchClient), jobsFailed, "Sum")).toBe(1);
  });
});
