import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

async function spawnRegion(): Promise<{ proc: ChildRegion["child"]; endpoint: string }> {
  const region = await startChildRegion(dir);
  children.push(region);
  return { proc: region.child, endpoint: region.endpoint };
}

describe("durability", () => {
  it("loses nothing acknowledged when the region is killed with SIGKILL mid-traffic", async () => {
    const first = await spawnRegion();
    const config = {
      endpoint: first.endpoint,
      region: "us-east-1",
      credentials: loadOrCreateAccessKey(dir),
      maxAttempts: 1,
    };
    const ssm = new SSMClient(config);
    const ecr = new ECRClient(config);
    const elb = new ElasticLoadBalancingV2Client(config);
    const tg = (await elb.send(new CreateTargetGroupCommand({ Name: "kept", Protocol: "HTTP", Port: 80 })))
      .TargetGroups![0]!.TargetGroupArn!;
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: "i-1", Port: 40001 }] }));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: "kept-repo" }));

    const acknowledged: string[] = [];
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; i < 200 && !stop; i++) {
        const name = `/kill/w${w}/p${i}`;
        try {
          await ssm.send(new PutParameterCommand({ Name: name, Value: `v${i}`, Type: "String" }));
          acknowledged.push(name);
        } catch {
          return; // the region died under this request: it was never acknowledged
        }
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    while (acknowledged.length < 30) await new Promise((r) => setTimeout(r, 5));
    first.proc.kill("SIGKILL");
    stop = true;
    await Promise.all(writers);
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
});
