import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";
import {
  concurrencyOf,
  encodeThreadsOf,
  identityOf,
  imageOf,
  readTaskMetadata,
} from "../src/worker/identity.js";

// The ECS task metadata endpoint (v4), served by a local HTTP server with the documented shape.

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/v4/abc") {
      res.end(
        JSON.stringify({
          Image: "123.dkr.ecr.eu-west-1.amazonaws.com/api-qa:1.4.0",
          ImageID: "sha256:feed",
          Limits: { CPU: 512, Memory: 1024 },
        }),
      );
    } else if (req.url === "/v4/abc/task") {
      res.end(
        JSON.stringify({
          TaskARN: "arn:aws:ecs:eu-west-1:123:task/platform/0f1e2d3c",
          Limits: { Memory: 1024 },
        }),
      );
    } else {
      res.writeHead(404).end("{}");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v4/abc`;
});

afterAll(() => {
  server.close();
});

describe("task identity", () => {
  it("reads the image, task id and CPU limit from the metadata endpoint", async () => {
    const metadata = await readTaskMetadata(base);
    expect(imageOf(metadata, "ignored")).toBe("123.dkr.ecr.eu-west-1.amazonaws.com/api-qa:1.4.0@sha256:feed");
    expect(identityOf(metadata, 42, "ip-10-0-1-5")).toEqual({
      id: "0f1e2d3c-42",
      taskId: "0f1e2d3c",
      host: "ip-10-0-1-5",
    });
    expect(metadata.cpus).toBe(0.5);
    expect(concurrencyOf(undefined, metadata, 8)).toBe(1);
    expect(concurrencyOf(3, metadata, 8)).toBe(3);
  });

  it("gives slots that share CPUs a share each, leaves one slot to ffmpeg unless WORKER_CPUS pins it", () => {
    // 2 slots sharing 4 CPUs: 2 threads each; more slots than CPUs: still one each.
    expect(encodeThreadsOf(4, 2, 4)).toBe(2);
    expect(encodeThreadsOf(2, 4, 2)).toBe(1);
    // ECS, 512 CPU units on a 2-vCPU instance, one slot: ffmpeg decides (the units are a floor).
    expect(encodeThreadsOf(0.5, 1, 2)).toBeUndefined();
    expect(encodeThreadsOf(2, 1, 2)).toBeUndefined();
    // WORKER_CPUS=1 on a 2-CPU host: one thread.
    expect(encodeThreadsOf(1, 1, 2, 1)).toBe(1);
    expect(encodeThreadsOf(2, 1, 2, 2)).toBeUndefined();
  });

  it("falls back to IMAGE_URI, hostname+pid and the host's CPUs without metadata", async () => {
    const none = await readTaskMetadata(undefined);
    expect(imageOf(none, "local/api:dev")).toBe("local/api:dev");
    expect(imageOf(none, undefined)).toBe("unknown");
    expect(identityOf(none, 7, "box")).toEqual({ id: "box-7-7", taskId: "box-7", host: "box" });
    expect(concurrencyOf(undefined, none, 4)).toBe(4);
    const unreachable = await readTaskMetadata(`${base.replace("/v4/abc", "/missing")}`);
    expect(unreachable.image).toBeUndefined();
  });
});

describe("config", () => {
  it("reads defaults and refuses bad values with the variable's name", () => {
    const config = loadConfig({});
    expect([config.role, config.port, config.stopTimeoutMs, config.database]).toEqual([
      "all",
      3000,
      25_000,
      { url: "sqlite:./data/api.db", caFile: undefined },
    ]);
    expect(() => loadConfig({ ROLE: "boss" })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: "http" })).toThrow(/PORT/);
    expect(() => loadConfig({ API_ADMIN_KEY: "short" })).toThrow(/API_ADMIN_KEY must be at least 16/);
  });

  it("builds the RDS database from what infra/aws passes, and refuses half of it", () => {
    const rds = {
      DATABASE_HOST: "db.example",
      DATABASE_PORT: "5433",
      DATABASE_NAME: "transcoding",
      DATABASE_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:1:secret:rds!db-1",
      DATABASE_CA_FILE: "/etc/ssl/certs/rds-global-bundle.pem",
    };
    expect(loadConfig(rds).database).toEqual({
      host: "db.example",
      port: 5433,
      database: "transcoding",
      secretArn: rds.DATABASE_SECRET_ARN,
      caFile: rds.DATABASE_CA_FILE,
      urlIgnored: false,
    });
    expect(() => loadConfig({ ...rds, DATABASE_CA_FILE: undefined })).toThrow(
      /DATABASE_CA_FILE .* is required/,
    );
    // The managed secret wins over a DATABASE_URL a deploy still passes (logged, not fatal).
    expect(loadConfig({ ...rds, DATABASE_URL: "postgres://x/y" }).database).toMatchObject({
      secretArn: rds.DATABASE_SECRET_ARN,
      urlIgnored: true,
    });
    expect(() => loadConfig({ DATABASE_HOST: "db.example" })).toThrow(/need DATABASE_SECRET_ARN/);
  });
});
