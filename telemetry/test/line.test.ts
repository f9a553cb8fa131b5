import { describe, expect, it } from "vitest";
import { accessLine, lineOf, pathOf, requestIdFrom, taskIdOf } from "../src/line.js";

describe("a log line", () => {
  it("leads with time, level, message and the process's identity, then the caller's fields", () => {
    const line = lineOf({
      jobId: "j-1",
      message: "job failed",
      taskId: "0f1e",
      level: "warn",
      env: "qa",
      time: "2026-12-02T00:00:00.000Z",
      service: "api",
      version: "1.4.0",
      event: "JobFailed",
    });
    expect(Object.keys(JSON.parse(line))).toEqual([
      "time",
      "level",
      "message",
      "service",
      "env",
      "version",
      "taskId",
      "jobId",
      "event",
    ]);
  });

  it("survives a field JSON cannot write", () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const line = JSON.parse(lineOf({ time: "t", level: "info", message: "m", service: "api", circular }));
    expect(line).toEqual({ time: "t", level: "info", message: "m", service: "api", unserializable: true });
  });

  it("names the task from the last segment of its ARN, else this process", () => {
    expect(taskIdOf("arn:aws:ecs:eu-west-1:123:task/platform/0f1e2d3c")).toBe("0f1e2d3c");
    expect(taskIdOf(undefined, 42, "box")).toBe("box-42");
  });
});

describe("the access line", () => {
  it("is level http with numeric status and duration, and warn for a 5xx", () => {
    expect(accessLine({ method: "GET", path: "/healthz", status: 200, durationMs: 1.234 })).toEqual({
      level: "http",
      message: "request",
      method: "GET",
      path: "/healthz",
      status: 200,
      durationMs: 1.2,
    });
    expect(accessLine({ method: "POST", path: "/api/v1/jobs", status: 503, durationMs: 4 }).level).toBe(
      "warn",
    );
    expect(accessLine({ method: "GET", path: "/x", status: 404, durationMs: 4 }).level).toBe("http");
  });

  it("logs the path without its query string", () => {
    expect(pathOf("/api/v1/objects/a.mp4?sig=secret&exp=1")).toBe("/api/v1/objects/a.mp4");
    expect(pathOf(undefined)).toBe("/");
  });
});

describe("the request id", () => {
  it("comes from X-Request-Id, else the Root of the load balancer's X-Amzn-Trace-Id", () => {
    expect(requestIdFrom({ "x-request-id": "abc-123" })).toBe("abc-123");
    expect(requestIdFrom({ "x-amzn-trace-id": "Root=1-67891233-abcdef012345678912345678" })).toBe(
      "1-67891233-abcdef012345678912345678",
    );
    expect(
      requestIdFrom({ "x-amzn-trace-id": "Self=1-6789-aa;Root=1-5759e988-bd862e3fe1be46a994272793" }),
    ).toBe("1-5759e988-bd862e3fe1be46a994272793");
    expect(requestIdFrom({})).toBeUndefined();
  });

  it("ignores ids that could forge or break a line", () => {
    expect(requestIdFrom({ "x-request-id": 'a" "level":"error' })).toBeUndefined();
    expect(requestIdFrom({ "x-request-id": "x".repeat(201) })).toBeUndefined();
    expect(requestIdFrom({ "x-request-id": "bad\nline", "x-amzn-trace-id": "Root=1-2-3" })).toBe("1-2-3");
  });
});
