import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient, ListMetricsCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  FilterLogEventsCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient } from "@aws-sdk/client-ecr";
import {
  CreateTargetGroupCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetParametersCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, describe, expect, it } from "vitest";
import { loadOrCreateAccessKey } from "../src/credentials.js";
import { type ChildRegion, startChildRegion } from "../src/testing/index.js";

// A real region in a child process, killed with SIGKILL while requests are in flight: everything
// it acknowledged is there after a restart on the same state folder.

const dir = mkdtempSync(join(tmpdir(), "local-region-kill-"));
const children: ChildRegion[] = [];

afterAll(() => {
  for (const { child: c } of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

async function spawnRegion(
  stateDir = dir,
  logs = false,
): Promise<{ proc: ChildRegion["child"]; endpoint: string }> {
  const region = await startChildRegion(stateDir, { logs });
  children.push(region);
  return { proc: region.child, endpoint: region.endpoint };
}

/** An SDK client's settings for a child region: one attempt, so a request the kill cut short fails. */
const clientConfig = (endpoint: string, stateDir: string) => ({
  endpoint,
  region: "us-east-1",
  credentials: loadOrCreateAccessKey(stateDir),
  maxAttempts: 1,
});

/**
 * Four writers send requests until the region, killed with SIGKILL once 30 are acknowledged, stops
 * answering; the names of the acknowledged ones.
 */
async function killMidTraffic(
  proc: ChildRegion["child"],
  write: (writer: number, i: number) => Promise<string>,
): Promise<string[]> {
  const acknowledged: string[] = [];
  let stop = false;
  const writer = async (w: number) => {
    for (let i = 0; i < 200 && !stop; i++) {
      try {
        acknowledged.push(await write(w, i));
      } catch {
        return; // the region died under this request: it was never acknowledged
      }
    }
  };
  const writers = [0, 1, 2, 3].map(writer);
  while (acknowledged.length < 30) await new Promise((r) => setTimeout(r, 5));
  proc.kill("SIGKILL");
  stop = true;
  await Promise.all(writers);
  return acknowledged;
}

describe("durability", () => {
  it("loses nothing acknowledged when the region is killed with SIGKILL mid-traffic", async () => {
    const first = await spawnRegion();
    const config = clientConfig(first.endpoint, dir);
    const ssm = new SSMClient(config);
    const ecr = new ECRClient(config);
    const elb = new ElasticLoadBalancingV2Client(config);
    const tg = (await elb.send(new CreateTargetGroupCommand({ Name: "kept", Protocol: "HTTP", Port: 80 })))
      .TargetGroups![0]!.TargetGroupArn!;
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: "i-1", Port: 40001 }] }));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: "kept-repo" }));

    const acknowledged = await killMidTraffic(first.proc, async (w, i) => {
      const name = `/kill/w${w}/p${i}`;
      await ssm.send(new PutParameterCommand({ Name: name, Value: `v${i}`, Type: "String" }));
      return name;
    });
    expect(acknowledged.length).toBeGreaterThanOrEqual(30);

    const second = await spawnRegion();
    const again = { ...config, endpoint: second.endpoint };
    const ssm2 = new SSMClient(again);
    for (let i = 0; i < acknowledged.length; i += 10) {
      const names = acknowledged.slice(i, i + 10);
      const out = await ssm2.send(new GetParametersCommand({ Names: names }));
      expect(out.InvalidParameters).toEqual([]);
      expect(out.Parameters).toHaveLength(names.length);
    }
    const repos = await new ECRClient(again).send(
      new DescribeRepositoriesCommand({ repositoryNames: ["kept-repo"] }),
    );
    expect(repos.repositories?.[0]?.repositoryName).toBe("kept-repo");
    const elb2 = new ElasticLoadBalancingV2Client(again);
    expect(
      (await elb2.send(new DescribeTargetGroupsCommand({ Names: ["kept"] }))).TargetGroups?.[0]
        ?.TargetGroupArn,
    ).toBe(tg);
    const health = await elb2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }));
    expect(health.TargetHealthDescriptions?.map((d) => d.Target)).toEqual([{ Id: "i-1", Port: 40001 }]);
    second.proc.kill("SIGTERM");
    await new Promise((r) => second.proc.once("exit", r));
  }, 30_000);

  it("loses no acknowledged PutMetricData when killed mid-traffic (the metric log is appended to)", async () => {
    const metricsDir = join(dir, "metrics");
    const first = await spawnRegion(metricsDir);
    const config = clientConfig(first.endpoint, metricsDir);
    const cloudwatch = new CloudWatchClient(config);
    const acknowledged = await killMidTraffic(first.proc, async (w, i) => {
      const MetricName = `Kill-w${w}-m${i}`;
      await cloudwatch.send(
        new PutMetricDataCommand({ Namespace: "Kill", MetricData: [{ MetricName, Value: i }] }),
      );
      return MetricName;
    });

    const second = await spawnRegion(metricsDir);
    const listed = new Set<string>();
    let NextToken: string | undefined;
    do {
      const page = await new CloudWatchClient({ ...config, endpoint: second.endpoint }).send(
        new ListMetricsCommand({ Namespace: "Kill", NextToken }),
      );
      for (const m of page.Metrics ?? []) listed.add(m.MetricName ?? "");
      NextToken = page.NextToken;
    } while (NextToken);
    expect(acknowledged.filter((name) => !listed.has(name))).toEqual([]);
    second.proc.kill("SIGTERM");
    await new Promise((r) => second.proc.once("exit", r));
  }, 30_000);

  it("loses no acknowledged PutLogEvents when killed mid-traffic (segments are fsynced before the answer)", async () => {
    const logsDir = join(dir, "logs");
    const first = await spawnRegion(logsDir, true);
    const config = clientConfig(first.endpoint, logsDir);
    const logs = new CloudWatchLogsClient(config);
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/kill" }));
    for (const w of [0, 1, 2, 3]) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: "/kill", logStreamName: `w${w}` }));
    }
    const acknowledged = await killMidTraffic(first.proc, async (w, i) => {
      const message = `w${w} line ${i}`;
      const logEvents = [{ timestamp: Date.now(), message }];
      await logs.send(new PutLogEventsCommand({ logGroupName: "/kill", logStreamName: `w${w}`, logEvents }));
      return message;
    });

    const second = await spawnRegion(logsDir, true);
    const again = new CloudWatchLogsClient({ ...config, endpoint: second.endpoint });
    const found = await again.send(new FilterLogEventsCommand({ logGroupName: "/kill" }));
    const stored = new Set(found.events?.map((e) => e.message));
    expect(acknowledged.filter((m) => !stored.has(m))).toEqual([]);
    second.proc.kill("SIGTERM");
    await new Promise((r) => second.proc.once("exit", r));
  }, 30_000);
});
