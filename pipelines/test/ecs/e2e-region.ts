import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { CloudWatchLogsClient, CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRepositoryCommand, ECRClient } from "@aws-sdk/client-ecr";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type Service,
} from "@aws-sdk/client-ecs";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { packImage, pushImage } from "../../src/image/index.js";

// A local region (infra/local) in this process with ECS and Logs, one load balancer listener, and
// tiny test images packed and pushed through the real ECR API. The `ecs` CLI runs as a real child
// process configured only the usual AWS way: AWS_PROFILE + the region's shared config and
// credentials files (endpoint_url comes from the profile), exactly as a user would point it at AWS.
//
// infra/local depends on pipelines, so pipelines can't import it at compile time (a reference
// cycle): it is loaded at run time, after `tsc -b` has built it, through these narrow shapes.

interface RegionHandle {
  endpoint: string;
  credentials: {
    accessKeyId: string;
    secretAccessKey: string;
    credentialsFile: string;
    configFile: string;
    profile: string;
  };
  settled(): Promise<void>;
  stop(): Promise<void>;
}
interface RegionPlugin {
  name: string;
}
interface RegionModule {
  startRegion(options: {
    stateDir: string;
    awsEndpointPort: number;
    plugins: RegionPlugin[];
    log: (m: string) => void;
  }): Promise<RegionHandle>;
}

const LOCAL_REGION = "@platform/local-region";
// pipelines/ when run from source by vitest, pipelines/dist/ when run compiled: the CLI is the built one.
const PACKAGE = fileURLToPath(new URL("../../", import.meta.url));
const CLI = PACKAGE.endsWith(`dist${sep}`)
  ? join(PACKAGE, "src/ecs/cli.js")
  : join(PACKAGE, "dist/src/ecs/cli.js");

/** A 30-line HTTP server: /healthz, /version; CRASH=1 exits at start; SLOW=1 never starts listening. */
const SERVER = `
const http = require("node:http");
if (process.env.CRASH === "1") { console.error("fatal: cannot open config /etc/app.conf"); process.exit(3); }
if (process.env.SLOW === "1") { console.log("warming up..."); setInterval(() => {}, 1000); return; }
let draining = false;
const server = http.createServer((req, res) => {
  if (req.url === "/healthz") { res.writeHead(draining ? 503 : 200); return res.end(draining ? "draining" : "ok"); }
  if (req.url === "/version") { res.writeHead(200, { "content-type": "text/plain" }); return res.end(process.env.VERSION ?? "none"); }
  res.writeHead(404); res.end();
});
server.keepAliveTimeout = 1000;
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("listening version " + process.env.VERSION));
process.on("SIGTERM", () => { draining = true; server.close(() => process.exit(0)); setTimeout(() => process.exit(0), 2000).unref(); });
`;

export interface App {
  name: string;
  host: string;
  targetGroupArn: string;
}

export class E2eRegion {
  private constructor(
    readonly handle: RegionHandle,
    readonly stateDir: string,
    readonly listenerPort: number,
  ) {}

  private client<T>(ctor: new (config: Record<string, unknown>) => T): T {
    return new ctor({
      endpoint: this.handle.endpoint,
      region: "us-east-1",
      credentials: {
        accessKeyId: this.handle.credentials.accessKeyId,
        secretAccessKey: this.handle.credentials.secretAccessKey,
      },
    });
  }

  readonly ecs = (): ECSClient => this.client(ECSClient);
  readonly ecr = (): ECRClient => this.client(ECRClient);
  readonly elb = (): ElasticLoadBalancingV2Client => this.client(ElasticLoadBalancingV2Client);
  readonly logs = (): CloudWatchLogsClient => this.client(CloudWatchLogsClient);

  static async start(taskPorts: { from: number; to: number }): Promise<E2eRegion> {
    const { startRegion } = (await import(`${LOCAL_REGION}/region`)) as RegionModule;
    const { EcsPlugin } = (await import(`${LOCAL_REGION}/services/ecs/plugin`)) as {
      EcsPlugin: new (o: {
        logs: unknown;
        taskPorts: { from: number; to: number };
        log: () => void;
      }) => RegionPlugin;
    };
    const { LogsPlugin } = (await import(`${LOCAL_REGION}/services/logs/plugin`)) as {
      LogsPlugin: new () => RegionPlugin;
    };
    const stateDir = mkdtempSync(join(tmpdir(), "ecs-cli-e2e-"));
    const logs = new LogsPlugin();
    const ecs = new EcsPlugin({ logs, taskPorts, log: () => {} });
    const handle = await startRegion({ stateDir, awsEndpointPort: 0, plugins: [logs, ecs], log: () => {} });
    const region = new E2eRegion(handle, stateDir, await freePort());
    await region.createEdge();
    return region;
  }

  async stop(): Promise<void> {
    await this.handle.stop();
    rmSync(this.stateDir, { recursive: true, force: true });
  }

  private listenerArn = "";

  private async createEdge(): Promise<void> {
    const lb = await this.elb().send(
      new CreateLoadBalancerCommand({ Name: "platform", Subnets: ["subnet-a", "subnet-b"] }),
    );
    const listener = await this.elb().send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancers?.[0]?.LoadBalancerArn,
        Protocol: "HTTP",
        Port: this.listenerPort,
        DefaultActions: [
          {
            Type: "fixed-response",
            FixedResponseConfig: { StatusCode: "404", ContentType: "text/plain", MessageBody: "no route" },
          },
        ],
      }),
    );
    this.listenerArn = listener.Listeners?.[0]?.ListenerArn ?? "";
    await this.ecs().send(new CreateClusterCommand({ clusterName: "platform" }));
    await this.handle.settled();
  }

  /** Repository, target group (5 s checks, 2/2, a short drain), a host rule, a log group. */
  async createApp(name: string, host: string, priority: number, drainSeconds = 3): Promise<App> {
    await this.ecr().send(
      new CreateRepositoryCommand({ repositoryName: name, imageTagMutability: "IMMUTABLE" }),
    );
    const tg = await this.elb().send(
      new CreateTargetGroupCommand({
        Name: name,
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
    const targetGroupArn = tg.TargetGroups?.[0]?.TargetGroupArn ?? "";
    await this.elb().send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: targetGroupArn,
        Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: String(drainSeconds) }],
      }),
    );
    await this.elb().send(
      new CreateRuleCommand({
        ListenerArn: this.listenerArn,
        Priority: priority,
        Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: [host] } }],
        Actions: [{ Type: "forward", TargetGroupArn: targetGroupArn }],
      }),
    );
    await this.handle.settled();
    await this.logs().send(new CreateLogGroupCommand({ logGroupName: `/ecs/${name}` }));
    return { name, host, targetGroupArn };
  }

  /** Packs the test server with VERSION=tag (and extra env) and pushes it as `<app>:<tag>`. */
  async pushImage(app: App, tag: string, env: Record<string, string> = {}): Promise<string> {
    const packed = await packImage({
      files: [{ path: "app/server.js", content: SERVER }],
      config: {
        Cmd: ["node", "server.js"],
        WorkingDir: "/app",
        Env: [`VERSION=${tag}`, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)],
        ExposedPorts: { "3000/tcp": {} },
      },
    });
    return (await pushImage(this.ecr(), app.name, tag, packed)).imageUri;
  }

  /** A service on its first revision, deployed by ECS itself; resolves once it serves. */
  async createService(app: App, image: string): Promise<string> {
    const td = await this.ecs().send(
      new RegisterTaskDefinitionCommand({
        family: app.name,
        networkMode: "bridge",
        containerDefinitions: [
          {
            name: "app",
            image,
            memory: 256,
            essential: true,
            stopTimeout: 5,
            portMappings: [{ containerPort: 3000, hostPort: 0, protocol: "tcp" }],
            environment: [{ name: "DB_PASSWORD", value: "e2e-secret-value-991" }],
            logConfiguration: {
              logDriver: "awslogs",
              options: {
                "awslogs-group": `/ecs/${app.name}`,
                "awslogs-region": "us-east-1",
                "awslogs-stream-prefix": "ecs",
                mode: "non-blocking",
              },
            },
          },
        ],
      }),
    );
    const arn = td.taskDefinition?.taskDefinitionArn ?? "";
    await this.ecs().send(
      new CreateServiceCommand({
        cluster: "platform",
        serviceName: app.name,
        taskDefinition: arn,
        desiredCount: 1,
        loadBalancers: [{ targetGroupArn: app.targetGroupArn, containerName: "app", containerPort: 3000 }],
        healthCheckGracePeriodSeconds: 10,
        deploymentConfiguration: {
          maximumPercent: 200,
          minimumHealthyPercent: 100,
          deploymentCircuitBreaker: { enable: true, rollback: true },
        },
      }),
    );
    await this.steady(app);
    return arn;
  }

  /** Until the service's only deployment is COMPLETED and every target is healthy: a settled baseline. */
  async steady(app: App): Promise<void> {
    await waitFor(
      `${app.name} to be steady`,
      async () => {
        const service = await this.service(app);
        const done =
          service.deployments?.length === 1 && service.deployments[0]?.rolloutState === "COMPLETED";
        const health = await this.elb().send(
          new DescribeTargetHealthCommand({ TargetGroupArn: app.targetGroupArn }),
        );
        const states = health.TargetHealthDescriptions?.map((d) => d.TargetHealth?.State) ?? [];
        return done && states.length > 0 && states.every((s) => s === "healthy") ? true : undefined;
      },
      60_000,
    );
  }

  async service(app: App): Promise<Service> {
    const out = await this.ecs().send(
      new DescribeServicesCommand({ cluster: "platform", services: [app.name] }),
    );
    return out.services?.[0] as Service;
  }

  /** GET through the load balancer with the app's Host header. */
  get(app: App, path: string): Promise<{ status: number; body: string }> {
    return new Promise((done, fail) => {
      const req = request(
        { host: "127.0.0.1", port: this.listenerPort, path, headers: { host: app.host }, agent: keepAlive },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk) => {
            body += chunk;
          });
          res.on("end", () => done({ status: res.statusCode ?? 0, body }));
        },
      );
      req.setTimeout(5000, () => req.destroy(new Error("request timed out")));
      req.on("error", fail);
      req.end();
    });
  }

  /** Requests the app every 25 ms until stopped (bounded: at most `max` requests). */
  load(app: App, max = 4000) {
    const results: { status: number; body: string }[] = [];
    let on = true;
    const running = (async () => {
      for (let i = 0; i < max && on; i++) {
        results.push(await this.get(app, "/version").catch((e: Error) => ({ status: 0, body: e.message })));
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    return {
      stop: async () => {
        on = false;
        await running;
        return results;
      },
    };
  }

  /** The usual AWS configuration that points an SDK or the CLI at this region: a profile, nothing else. */
  awsEnv(): Record<string, string> {
    return {
      AWS_PROFILE: this.handle.credentials.profile,
      AWS_SHARED_CREDENTIALS_FILE: this.handle.credentials.credentialsFile,
      AWS_CONFIG_FILE: this.handle.credentials.configFile,
    };
  }

  /** Runs `ecs <args>` as a child process pointed at the region by profile only; killed by PID after `limitMs`. */
  runCli(args: string[], limitMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = { PATH: process.env.PATH, HOME: this.stateDir, CI: "true", ...this.awsEnv() };
    return new Promise((done) => {
      const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => {
        stdout += d;
      });
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      const timer = setTimeout(() => child.pid && process.kill(child.pid, "SIGKILL"), limitMs);
      child.on("close", (code) => {
        clearTimeout(timer);
        done({ code: code ?? -1, stdout, stderr });
      });
    });
  }
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 4 });

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((closed) => server.close(() => closed()));
  return port;
}

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`);
}
