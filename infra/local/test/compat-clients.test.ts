import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startTestRegion, type TestRegion } from "./region-fixture.js";

// Independent clients: the installed AWS CLI (v1 or v2) and python3-boto3, pointed at the region only through the
// generated credentials and config files (profile `local`, endpoint_url in the config).

const run = promisify(execFile);
let region: TestRegion;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  region = await startTestRegion();
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_SHARED_CREDENTIALS_FILE: region.credentials.credentialsFile,
    AWS_CONFIG_FILE: region.credentials.configFile,
    AWS_PROFILE: "local",
  };
});
afterAll(async () => {
  await region?.cleanup();
});

async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run("aws", [...args, "--output", "json"], { env, timeout: 30_000 });
  return stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {};
}

describe("AWS CLI", () => {
  it("creates and describes a repository, creates a target group, registers and reads target health", async () => {
    const repo = (await aws(
      "ecr",
      "create-repository",
      "--repository-name",
      "cli-repo",
      "--image-tag-mutability",
      "IMMUTABLE",
    )) as {
      repository: { repositoryUri: string; imageTagMutability: string };
    };
    expect(repo.repository.repositoryUri).toBe(
      `000000000000.dkr.ecr.us-east-1.localhost:${region.port}/cli-repo`,
    );
    const described = (await aws("ecr", "describe-repositories", "--repository-names", "cli-repo")) as {
      repositories: { imageTagMutability: string }[];
    };
    expect(described.repositories[0]?.imageTagMutability).toBe("IMMUTABLE");
    const tg = (await aws(
      "elbv2",
      "create-target-group",
      "--name",
      "cli-tg",
      "--protocol",
      "HTTP",
      "--port",
      "80",
      "--health-check-path",
      "/healthz",
    )) as {
      TargetGroups: { TargetGroupArn: string; HealthCheckPath: string }[];
    };
    const arn = tg.TargetGroups[0]!.TargetGroupArn;
    expect(tg.TargetGroups[0]?.HealthCheckPath).toBe("/healthz");
    await aws("elbv2", "register-targets", "--target-group-arn", arn, "--targets", "Id=i-cli,Port=40100");
    const health = (await aws("elbv2", "describe-target-health", "--target-group-arn", arn)) as {
      TargetHealthDescriptions: { Target: { Id: string; Port: number }; TargetHealth: { State: string } }[];
    };
    expect(health.TargetHealthDescriptions).toEqual([
      expect.objectContaining({
        Target: { Id: "i-cli", Port: 40100 },
        TargetHealth: expect.objectContaining({ State: "unused" }),
      }),
    ]);
  }, 60_000);

  it("reports AWS's error codes", async () => {
    const failure = await run("aws", ["ecr", "describe-repositories", "--repository-names", "missing-repo"], {
      env,
      timeout: 30_000,
    }).catch((e: { code: number; stderr: string }) => e);
    expect([254, 255]).toContain((failure as { code: number }).code); // v2 answers 254, v1 255
    expect((failure as { stderr: string }).stderr).toContain("RepositoryNotFoundException");
    const elbFailure = await run("aws", ["elbv2", "describe-target-groups", "--names", "missing-tg"], {
      env,
      timeout: 30_000,
    }).catch((e: { stderr: string }) => e);
    expect((elbFailure as { stderr: string }).stderr).toContain("TargetGroupNotFound");
  }, 60_000);
});

const BOTO3_FLOW = `
import json, boto3, botocore
s = boto3.session.Session(profile_name="local")
ecr = s.client("ecr")
elb = s.client("elbv2")
ssm = s.client("ssm")
out = {}
out["uri"] = ecr.create_repository(repositoryName="boto-repo")["repository"]["repositoryUri"]
out["names"] = [r["repositoryName"] for r in ecr.describe_repositories()["repositories"]]
arn = elb.create_target_group(Name="boto-tg", Protocol="HTTP", Port=80)["TargetGroups"][0]["TargetGroupArn"]
elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": "i-boto", "Port": 40200}])
out["health"] = [(d["Target"]["Id"], d["Target"]["Port"], d["TargetHealth"]["State"]) for d in elb.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]]
lb = elb.create_load_balancer(Name="boto-lb", Subnets=["subnet-1"])["LoadBalancers"][0]["LoadBalancerArn"]
listener = elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=%d, DefaultActions=[{"Type": "forward", "TargetGroupArn": arn}])["Listeners"][0]["ListenerArn"]
elb.create_rule(ListenerArn=listener, Priority=10, Conditions=[{"Field": "host-header", "HostHeaderConfig": {"Values": ["qa.localhost"]}}, {"Field": "path-pattern", "Values": ["/media/*"]}], Actions=[{"Type": "forward", "TargetGroupArn": arn}])
out["rules"] = [(r["Priority"], [c.get("Values") for c in r["Conditions"]]) for r in elb.describe_rules(ListenerArn=listener)["Rules"]]
out["used"] = [d["TargetHealth"]["State"] for d in elb.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]]
ssm.put_parameter(Name="/boto/p", Value="secret-value", Type="SecureString")
out["param"] = ssm.get_parameter(Name="/boto/p", WithDecryption=True)["Parameter"]["Value"]
try:
    ecr.describe_repositories(repositoryNames=["missing"])
except botocore.exceptions.ClientError as e:
    out["error"] = e.response["Error"]["Code"]
try:
    elb.create_target_group(Name="bad_name", Protocol="HTTP", Port=80)
except botocore.exceptions.ClientError as e:
    out["elbError"] = e.response["Error"]["Code"]
print(json.dumps(out))
`;

describe("boto3", () => {
  it("runs the same flows and sees AWS's error codes", async () => {
    const listenerPort = await freePort();
    const { stdout } = await run("python3", ["-c", BOTO3_FLOW.replace("%d", String(listenerPort))], {
      env,
      timeout: 30_000,
    });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out).toEqual({
      uri: `000000000000.dkr.ecr.us-east-1.localhost:${region.port}/boto-repo`,
      names: expect.arrayContaining(["boto-repo"]),
      health: [["i-boto", 40200, "unused"]],
      rules: [
        ["10", [["qa.localhost"], ["/media/*"]]],
        ["default", []],
      ],
      // Attached to a listener now: checked (nothing listens on 40200), no longer unused.
      used: [expect.stringMatching(/^(initial|unhealthy)$/)],
      param: "secret-value",
      error: "RepositoryNotFoundException",
      elbError: "ValidationError",
    });
  }, 60_000);
});
