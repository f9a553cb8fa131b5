import { Agent, request } from "node:http";
import { CloudWatchLogsClient, CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRepositoryCommand, ECRClient } from "@aws-sdk/client-ecr";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type Service,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { packImage, pushImage } from "@platform/pipelines/image/index";
import { EcsPlugin } from "../../src/services/ecs/plugin.js";
import { LogsPlugin } from "../../src/services/logs/plugin.js";
import { freePort, startTestRegion, type TestRegion, waitFor } from "../region-fixture.js";

// A region with ECS and Logs, one qa service behind a listener, and tiny test images packed and
// pushed with the pipelines image library through the real ECR API.

/** A 30-line HTTP server: /healthz, /version (env VERSION); CRASH=1 exits at start; SIGTERM closes gracefully. */
const SERVER = `
const http = require("node:http");
if (process.env.CRASH === "1") { console.error("crashing on purpose"); process.exit(3); }
let draining = false;
const server = http.createServer((req, res) => {
  if (req.url === "/healthz") { res.writeHead(draining ? 503 : 200); return res.end(draining ? "draining" : "ok"); }
  if (req.url === "/version") { res.writeHead(200, { "content-type": "text/plain" }); return res.end(process.env.VERSION ?? "none"); }
  if (req.url === "/env") { res.writeHead(200, { "content-type": "application/json" }); return res.end(JSON.stringify(process.env)); }
  if (req.url === "/hog") { globalThis.hog = []; const t = setInterval(() => globalThis.hog.push(Buffer.alloc(8 << 20, 1)), 20); t.unref(); res.writeHead(202); return res.end("hogging"); }
  res.writeHead(404); res.end();
});
server.keepAliveTimeout = 1000;
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("listening on " + process.env.PORT + " version " + process.env.VERSION));
process.on("SIGTERM", () => { draining = true; console.log("SIGTERM received"); server.close(() => process.exit(0)); setTimeout(() => process.exit(0), 2000).unref(); });
`;

export interface EcsTestRegion {
  region: TestRegion;
  ecs: ECSClient;
  ecr: ECRClient;
  elb: ElasticLoadBalancingV2Client;
  logs: CloudWatchLogsClient;
  ecsPlugin: EcsPlugin;
  logsPlugin: LogsPlugin;
  listenerPort: number;
  targetGroupArn: string;
}

export async function startEcsRegion(
  taskPorts: { from: number; to: number },
  stateDir?: string,
): Promise<EcsTestRegion> {
  const logsPlugin = new LogsPlugin();
  const ecsPlugin = new EcsPlugin({ logs: logsPlugin, taskPorts, log: () => {} });
  const region = await startTestRegion([logsPlugin, ecsPlugin], stateDir);
  return {
    region,
    ecs: region.client(ECSClient),
    ecr: region.client(ECRClient),
    elb: region.client(ElasticLoadBalancingV2Client),
    logs: region.client(CloudWatchLogsClient),
    ecsPlugin,
    logsPlugin,
    listenerPort: 0,
    targetGroupArn: "",
  };
}

/** ECR repository, target group (5 s checks, 2/2, short drain), listener with a qa.localhost rule, log group, cluster. */
export async function setUpQa(t: EcsTestRegion, deregistrationDelaySeconds = 3): Promise<void> {
  await t.ecr.send(
    new CreateRepositoryCommand({ repositoryName: "app-qa", imageTagMutability: "IMMUTABLE" }),
  );
  const tg = await t.elb.send(
    new CreateTargetGroupCommand({
      Name: "app-qa",
      Protocol: "HTTP",
      Port: 80,
      VpcId: "vpc-local",
      TargetType: "instance",
      HealthCheckPath: "/healthz",
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 2,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: "200" },
    }),
  );
  t.targetGroupArn = tg.TargetGroups?.[0]?.TargetGroupArn as string;
  const { ModifyTargetGroupAttributesCommand } = await import("@aws-sdk/client-elastic-load-balancing-v2");
  await t.elb.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: t.targetGroupArn,
      Attributes: [
        { Key: "deregistration_delay.timeout_seconds", Value: String(deregistrationDelaySeconds) },
      ],
    }),
  );
  const lb = await t.elb.send(
    new CreateLoadBalancerCommand({ Name: "platform", Subnets: ["subnet-a", "subnet-b"] }),
  );
  const lbArn = lb.LoadBalancers?.[0]?.LoadBalancerArn as string;
  t.listenerPort = await freePort();
  const listener = await t.elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: lbArn,
      Protocol: "HTTP",
      Port: t.listenerPort,
      DefaultActions: [
        {
          Type: "fixed-response",
          FixedResponseConfig: { StatusCode: "404", ContentType: "text/plain", MessageBody: "no route" },
        },
      ],
    }),
  );
  await t.elb.send(
    new CreateRuleCommand({
      ListenerArn: listener.Listeners?.[0]?.ListenerArn,
      Priority: 10,
      Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: ["qa.localhost"] } }],
      Actions: [{ Type: "forward", TargetGroupArn: t.targetGroupArn }],
    }),
  );
  await t.region.settled();
  await t.logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/app-qa" }));
  await t.ecs.send(new CreateClusterCommand({ clusterName: "platform" }));
}

/** Packs and pushes the test server as `app-qa:<tag>` with VERSION (and optional extra env) baked in. */
export async function pushTestImage(
  t: EcsTestRegion,
  tag: string,
  env: Record<string, string> = {},
): Promise<string> {
  const packed = await packImage({
    files: [{ path: "app/server.js", content: SERVER }],
    config: {
      Cmd: ["node", "server.js"],
      WorkingDir: "/app",
      Env: [`VERSION=${tag}`, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)],
      ExposedPorts: { "3000/tcp": {} },
    },
  });
  const pushed = await pushImage(t.ecr, "app-qa", tag, packed);
  return pushed.imageUri;
}

export async function registerApp(t: EcsTestRegion, image: string, memory = 256): Promise<string> {
  const out = await t.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "app-qa",
      networkMode: "bridge",
      containerDefinitions: [
        {
          name: "app",
          image,
          memory,
          essential: true,
          stopTimeout: 5,
          portMappings: [{ containerPort: 3000, hostPort: 0, protocol: "tcp" }],
          environment: [{ name: "LOG_LEVEL", value: "debug" }],
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": "/ecs/app-qa",
              "awslogs-region": "us-east-1",
              "awslogs-stream-prefix": "ecs",
              mode: "non-blocking",
            },
          },
        },
      ],
    }),
  );
  return out.taskDefinition?.taskDefinitionArn as string;
}

export async function createQaService(
  t: EcsTestRegion,
  taskDefinition: string,
  desiredCount = 1,
): Promise<Service> {
  const out = await t.ecs.send(
    new CreateServiceCommand({
      cluster: "platform",
      serviceName: "app-qa",
      taskDefinition,
      desiredCount,
      loadBalancers: [{ targetGroupArn: t.targetGroupArn, containerName: "app", containerPort: 3000 }],
      healthCheckGracePeriodSeconds: 10,
      deploymentConfiguration: {
        maximumPercent: 200,
        minimumHealthyPercent: 100,
        deploymentCircuitBreaker: { enable: true, rollback: true },
      },
    }),
  );
  return out.service as Service;
}

export async function describeService(t: EcsTestRegion): Promise<Service> {
  const out = await t.ecs.send(new DescribeServicesCommand({ cluster: "platform", services: ["app-qa"] }));
  return out.services?.[0] as Service;
}

/** Waits for the deployment with this id to reach a final rolloutState and returns the service then. */
export async function waitForRollout(
  t: EcsTestRegion,
  deploymentId: string,
  timeoutMs = 45_000,
): Promise<Service> {
  return waitFor(
    `deployment ${deploymentId} to finish`,
    async () => {
      const service = await describeService(t);
      const d = service.deployments?.find((x) => x.id === deploymentId);
      if (!d) return service;
      return d.rolloutState === "IN_PROGRESS" ? undefined : service;
    },
    timeoutMs,
  );
}

/** Clones the service's task definition with a new image, registers it and updates the service, as `ecs deploy` does. */
export async function deployImage(t: EcsTestRegion, image: string): Promise<string> {
  const service = await describeService(t);
  const current = await t.ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }),
  );
  const td = current.taskDefinition;
  const registered = await t.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: td?.family,
      networkMode: td?.networkMode,
      containerDefinitions: td?.containerDefinitions?.map((c) => ({ ...c, image })),
    }),
  );
  const updated = await t.ecs.send(
    new UpdateServiceCommand({
      cluster: "platform",
      service: "app-qa",
      taskDefinition: registered.taskDefinition?.taskDefinitionArn,
    }),
  );
  const primary = updated.service?.deployments?.find((d) => d.status === "PRIMARY");
  return primary?.id as string;
}

/** GET through the load balancer with Host: qa.localhost. */
export function getQa(t: EcsTestRegion, path: string): Promise<{ status: number; body: string }> {
  // fetch() won't set a Host header; node:http will (Node's resolver doesn't know qa.localhost).
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: t.listenerPort, path, headers: { host: "qa.localhost" }, agent: keepAlive },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error("request timed out")));
    req.on("error", reject);
    req.end();
  });
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 4 });
