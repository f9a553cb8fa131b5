import { readFileSync } from "node:fs";
import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsError, type RegionPlugin, type RegionServices } from "../src/contracts.js";
import { startRegion } from "../src/region.js";
import { startTestRegion, type TestRegion } from "../src/testing/index.js";

// The composition: plugins get the region's services, register wire services and routes, and are
// stopped before the region; credentials are generated once and kept.

const events: string[] = [];
let seen: RegionServices | undefined;

const fakeEcs: RegionPlugin = {
  name: "fake-ecs",
  start(services) {
    seen = services;
    events.push("start ecs");
    const store = services.durable("fake-ecs", () => ({ clusters: ["default"] }));
    services.registerService({
      protocol: "awsJson1_1",
      signingName: "ecs",
      targetPrefix: "AmazonEC2ContainerServiceV20141113",
      operations: {
        ListClusters: (_input, ctx) => ({
          clusterArns: store.state.clusters.map(
            (c) => `arn:aws:ecs:${ctx.region}:${ctx.accountId}:cluster/${c}`,
          ),
        }),
        DescribeClusters: () => {
          throw new AwsError("ClusterNotFoundException", "Cluster not found.");
        },
        ListServices: () => {
          throw new Error("a bug in a handler");
        },
      },
    });
    services.registerHttpRoute("/v4/", (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ Cluster: "platform" }));
    });
  },
  stop() {
    events.push("stop ecs");
  },
};
const second: RegionPlugin = {
  name: "second",
  start: () => {
    events.push("start second");
  },
  stop: () => {
    events.push("stop second");
  },
};

let region: TestRegion;

beforeAll(async () => {
  region = await startTestRegion([fakeEcs, second]);
});
afterAll(async () => {
  await region?.cleanup();
});

describe("region composition", () => {
  it("gives plugins the region's services and makes new ECSClient({ endpoint, region, credentials }) work", async () => {
    expect(seen?.endpoint).toBe(region.endpoint);
    expect(seen?.accountId).toBe("000000000000");
    const ecs = new ECSClient({
      endpoint: region.endpoint,
      region: "us-east-1",
      credentials: region.credentials,
    });
    const out = await ecs.send(new ListClustersCommand({}));
    expect(out.clusterArns).toEqual(["arn:aws:ecs:us-east-1:000000000000:cluster/default"]);
  });

  it("serializes a plugin's AwsError and turns a handler bug into a 500 InternalFailure", async () => {
    const ecs = region.client(ECSClient);
    const { DescribeClustersCommand, ListServicesCommand } = await import("@aws-sdk/client-ecs");
    const notFound = await ecs.send(new DescribeClustersCommand({})).catch((e: { name: string }) => e);
    expect((notFound as { name: string }).name).toBe("ClusterNotFoundException");
    const bug = await ecs
      .send(new ListServicesCommand({}))
      .catch((e: { name: string; $metadata: { httpStatusCode: number } }) => e);
    expect((bug as { name: string }).name).toBe("InternalFailure");
    expect((bug as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(500);
  });

  it("serves plugins' unsigned HTTP routes", async () => {
    const res = await fetch(`${region.endpoint}/v4/abc/task`);
    expect(await res.json()).toEqual({ Cluster: "platform" });
  });

  it("writes the credentials in shared-credentials format, profile local, with a config file", () => {
    const text = readFileSync(region.credentials.credentialsFile, "utf8");
    expect(text).toContain("[local]");
    expect(text).toContain(`aws_access_key_id = ${region.credentials.accessKeyId}`);
    const config = readFileSync(region.credentials.configFile, "utf8");
    expect(config).toContain("[profile local]");
    expect(config).toContain(`endpoint_url = ${region.endpoint}`);
  });

  it("refuses a second region on the same state folder", async () => {
    await expect(
      startRegion({ stateDir: region.stateDir, awsEndpointPort: 0, log: () => {} }),
    ).rejects.toThrow(/another local region/);
  });

  it("stops plugins in reverse order, then keeps the credentials for the next start", async () => {
    const { accessKeyId } = region.credentials;
    const dir = region.stateDir;
    await region.stop();
    expect(events).toEqual(["start ecs", "start second", "stop second", "stop ecs"]);
    const again = await startRegion({ stateDir: dir, awsEndpointPort: 0, log: () => {} });
    try {
      expect(again.credentials.accessKeyId).toBe(accessKeyId);
    } finally {
      await again.stop();
    }
  });
});
