import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AWS_CLI, awsCli, freePort, startTestRegion, type TestRegion } from "../src/testing/index.js";

// Independent clients: Debian's AWS CLI v2 (awscli) and boto3 (python3-boto3), which scripts/setup.sh installs,
// named by path because a developer's PATH may put another aws or python3 first. They get the generated
// credentials file (profile `local`); the endpoint is passed explicitly because Debian 12's CLI 2.9 and
// boto3 1.26 predate `endpoint_url` in the config file.
const PYTHON = "/usr/bin/python3";

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
    AWS_ENDPOINT_URL: region.endpoint,
  };
});
afterAll(async () => {
  await region?.cleanup();
});

const aws = (...args: string[]) => awsCli({ endpoint: region.endpoint, env }, ...args);

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
    const failure = await run(
      AWS_CLI,
      [
        "--endpoint-url",
        region.endpoint,
        "ecr",
        "describe-repositories",
        "--repository-names",
        "missing-repo",
      ],
      {
        env,
        timeout: 30_000,
      },
    ).catch((e: { code: number; stderr: string }) => e);
    expect((failure as { code: number }).code).toBe(254); // CLI v2: the service answered with an error
    expect((failure as { stderr: string }).stderr).toContain("RepositoryNotFoundException");
    const elbFailure = await run(
      AWS_CLI,
      ["--endpoint-url", region.endpoint, "elbv2", "describe-target-groups", "--names", "missing-tg"],
      {
        env,
        timeout: 30_000,
      },
    ).catch((e: { stderr: string }) => e);
    expect((elbFailure as { stderr: string }).stderr).toContain("TargetGroupNotFound");
  }, 60_000);
});

const BOTO3_FLOW = `
import json, os, boto3, botocore
s = boto3.session.Session(profile_name="local", region_name="us-east-1")
endpoint = os.environ["AWS_ENDPOINT_URL"]
ecr = s.client("ecr", endpoint_url=endpoint)
elb = s.client("elbv2", endpoint_url=endpoint)
ssm = s.client("ssm", endpoint_url=endpoint)
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
    const { stdout } = await run(PYTHON, ["-c", BOTO3_FLOW.replace("%d", String(listenerPort))], {
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
