import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EcsPlugin } from "../src/services/ecs/plugin.js";
import { LogsPlugin } from "../src/services/logs/plugin.js";
import { awsCli, startTestRegion, type TestRegion } from "../src/testing/index.js";

// ECS and CloudWatch Logs through independent clients: Debian's AWS CLI and boto3 (by path, endpoint
// passed explicitly: Debian 12's CLI and boto3 predate `endpoint_url` in the config file).

const run = promisify(execFile);
let region: TestRegion;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  const logs = new LogsPlugin();
  region = await startTestRegion([
    logs,
    new EcsPlugin({ logs, taskPorts: { from: 43500, to: 43549 }, log: () => {} }),
  ]);
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_SHARED_CREDENTIALS_FILE: region.credentials.credentialsFile,
    AWS_CONFIG_FILE: region.credentials.configFile,
    AWS_PROFILE: "local",
  };
}, 30_000);

afterAll(async () => {
  await region?.cleanup();
}, 30_000);

// biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON output is read freely
const aws = (...args: string[]) => awsCli<Record<string, any>>({ endpoint: region.endpoint, env }, ...args);

const BOTO3 = `
import json, sys, time, boto3, botocore
endpoint = sys.argv[1]
ecs = boto3.client("ecs", endpoint_url=endpoint, region_name="us-east-1")
logs = boto3.client("logs", endpoint_url=endpoint, region_name="us-east-1")
out = {}
ecs.create_cluster(clusterName="boto")
td = ecs.register_task_definition(family="boto", containerDefinitions=[{"name": "c", "image": "x:1", "memory": 64}])
out["revision"] = td["taskDefinition"]["revision"]
out["registeredAt"] = td["taskDefinition"]["registeredAt"].year
out["families"] = ecs.list_task_definition_families(familyPrefix="bo")["families"]
try:
    ecs.describe_services(cluster="nope", services=["x"])
except botocore.exceptions.ClientError as e:
    out["error"] = e.response["Error"]["Code"]
logs.create_log_group(logGroupName="/boto")
logs.create_log_stream(logGroupName="/boto", logStreamName="s")
logs.put_log_events(logGroupName="/boto", logStreamName="s", logEvents=[{"timestamp": int(time.time() * 1000), "message": "hello"}])
out["messages"] = [e["message"] for e in logs.get_log_events(logGroupName="/boto", logStreamName="s")["events"]]
print(json.dumps(out))
`;

describe("ECS and Logs with independent clients", () => {
  it("AWS CLI: clusters, task definitions, services and ECS's error codes", { timeout: 60_000 }, async () => {
    const cluster = await aws("ecs", "create-cluster", "--cluster-name", "cli");
    expect(cluster.cluster.status).toBe("ACTIVE");
    const td = await aws(
      "ecs",
      "register-task-definition",
      "--family",
      "cli",
      "--container-definitions",
      JSON.stringify([{ name: "web", image: "x:1", memory: 64, portMappings: [{ containerPort: 80 }] }]),
    );
    expect(td.taskDefinition.taskDefinitionArn).toMatch(/:task-definition\/cli:1$/);
    const created = await aws(
      "ecs",
      "create-service",
      "--cluster",
      "cli",
      "--service-name",
      "web",
      "--task-definition",
      "cli",
      "--desired-count",
      "0",
    );
    expect(created.service.deployments[0].rolloutState).toBe("IN_PROGRESS");
    const described = await aws("ecs", "describe-services", "--cluster", "cli", "--services", "web");
    expect(described.services[0].serviceName).toBe("web");
    const failure = await aws("ecs", "describe-services", "--cluster", "missing", "--services", "web").catch(
      (e: { stderr: string }) => e.stderr,
    );
    expect(failure).toMatch(/ClusterNotFoundException/);
  });

  it("boto3: ECS and CloudWatch Logs round trips and error codes", { timeout: 30_000 }, async () => {
    const { stdout } = await run("/usr/bin/python3", ["-c", BOTO3, region.endpoint], {
      env,
      timeout: 30_000,
    });
    expect(JSON.parse(stdout)).toEqual({
      revision: 1,
      registeredAt: new Date().getUTCFullYear(),
      families: ["boto"],
      error: "ClusterNotFoundException",
      messages: ["hello"],
    });
  });
});
