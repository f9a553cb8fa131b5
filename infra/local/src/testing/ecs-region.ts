import { Agent, request } from "node:http";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
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
  type ServiceDeployment,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  type CreateTargetGroupCommandInput,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { TWIN_TAG } from "../contracts.js";
import type { StartRegionOptions } from "../region.js";
import { EcsPlugin } from "../services/ecs/plugin.js";
import { LogsPlugin } from "../services/logs/plugin.js";
import { freePort, freePorts } from "./ports.js";
import { startTestRegion, type TestRegion } from "./region.js";
import { newestServiceDeployment } from "./service-deployments.js";
import { pushPackedImage, testImage } from "./test-image.js";
import { waitFor } from "./wait.js";

// A region with ECS and Logs, set up through the AWS API only: a load balancer with one HTTP
// listener, and per app a repository, a target group behind a host rule, a log group and a service
// running the test image. Everything a deploy test needs, on ports of its own.

export const CLUSTER = "platform";

/** An app behind the listener: requests with Host `host` go to its target group. */
export interface TestApp {
  name: string;
  host: string;
  targetGroupArn: string;
}

/** An app ECS can shift traffic for: a second group, weighted rules on production, its twin and a test listener. */
export interface ShiftingApp extends TestApp {
  greenArn: string;
  testPort: number;
  twinPort: number;
  rules: { production: string; test: string; twin: string };
}

export interface Answer {
  status: number;
  body: string;
}

/** One request of a load: its answer, when it was sent and when it was answered (epoch ms). */
export interface LoadResult extends Answer {
  sentAt: number;
  at: number;
}

export interface EcsTestRegionOptions {
  /** Host ports for tasks: a range no other suite uses. */
  taskPorts: { from: number; to: number };
  /** An existing state folder (a restart); a fresh temp folder otherwise. */
  stateDir?: string;
  /** The region's cap on bake times (the spec's local.maxDeploymentBakeSeconds). */
  maxDeploymentBakeSeconds?: number;
  /** Shorter alarms for target tracking policies (Application Auto Scaling). */
  autoscalingAlarms?: StartRegionOptions["autoscalingAlarms"];
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 4 });

/** A target group as the tests use them: HTTP to instances, /healthz every 5 s, 2 checks to change state. */
export function testTargetGroup(name: string, port = 80): CreateTargetGroupCommandInput {
  return {
    Name: name,
    Protocol: "HTTP",
    Port: port,
    VpcId: "vpc-local",
    TargetType: "instance",
    HealthCheckPath: "/healthz",
    HealthCheckIntervalSeconds: 5,
    HealthCheckTimeoutSeconds: 2,
    HealthyThresholdCount: 2,
    UnhealthyThresholdCount: 2,
    Matcher: { HttpCode: "200" },
  };
}

export class EcsTestRegion {
  readonly ecs: ECSClient;
  readonly ecr: ECRClient;
  readonly elb: ElasticLoadBalancingV2Client;
  readonly logs: CloudWatchLogsClient;
  readonly cloudwatch: CloudWatchClient;
  /** The listener's port; set by createEdge(), or by the caller after a restart on the same state. */
  listenerPort = 0;
  private listenerArn = "";

  private constructor(
    readonly region: TestRegion,
    readonly ecsPlugin: EcsPlugin,
    readonly logsPlugin: LogsPlugin,
  ) {
    this.ecs = region.client(ECSClient);
    this.ecr = region.client(ECRClient);
    this.elb = region.client(ElasticLoadBalancingV2Client);
    this.logs = region.client(CloudWatchLogsClient);
    this.cloudwatch = region.client(CloudWatchClient);
  }

  static async start(options: EcsTestRegionOptions): Promise<EcsTestRegion> {
    const logsPlugin = new LogsPlugin();
    const ecsPlugin = new EcsPlugin({
      logs: logsPlugin,
      taskPorts: options.taskPorts,
      log: () => {},
      ...(options.maxDeploymentBakeSeconds !== undefined
        ? { maxDeploymentBakeSeconds: options.maxDeploymentBakeSeconds }
        : {}),
    });
    const region = await startTestRegion(
      [logsPlugin, ecsPlugin],
      options.stateDir,
      options.autoscalingAlarms ? { autoscalingAlarms: options.autoscalingAlarms } : {},
    );
    return new EcsTestRegion(region, ecsPlugin, logsPlugin);
  }

  /** The load balancer `platform` with an HTTP listener on a free port (404 unless a rule matches), and the cluster. */
  async createEdge(): Promise<void> {
    const lb = await this.elb.send(
      new CreateLoadBalancerCommand({ Name: "platform", Subnets: ["subnet-a", "subnet-b"] }),
    );
    this.listenerPort = await freePort();
    const listener = await this.elb.send(
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
    await this.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await this.region.settled();
  }

  /** Repository, target group (5 s checks, 2/2, a short drain), a host rule, a log group `/ecs/<name>`. */
  async createApp(name: string, host: string, priority: number, drainSeconds = 3): Promise<TestApp> {
    await this.ecr.send(
      new CreateRepositoryCommand({ repositoryName: name, imageTagMutability: "IMMUTABLE" }),
    );
    const targetGroupArn = await this.createTargetGroup(name, drainSeconds);
    await this.elb.send(
      new CreateRuleCommand({
        ListenerArn: this.listenerArn,
        Priority: priority,
        Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: [host] } }],
        Actions: [{ Type: "forward", TargetGroupArn: targetGroupArn }],
      }),
    );
    await this.region.settled();
    await this.logs.send(new CreateLogGroupCommand({ logGroupName: `/ecs/${name}` }));
    return { name, host, targetGroupArn };
  }

  /**
   * An app set up for blue/green as npm start does it: `<name>` and `<name>-green`, a weighted rule
   * (blue 100, green 0) for its host on the production listener, on a twin listener (tagged to follow
   * the production rule) and on a test listener, each of those two on a free port.
   */
  async createShiftingApp(name: string, host: string, priority: number): Promise<ShiftingApp> {
    await this.ecr.send(
      new CreateRepositoryCommand({ repositoryName: name, imageTagMutability: "IMMUTABLE" }),
    );
    const blue = await this.createTargetGroup(name, 3);
    const green = await this.createTargetGroup(`${name}-green`, 3);
    const lbArn = (await this.elb.send(new DescribeLoadBalancersCommand({ Names: ["platform"] })))
      .LoadBalancers?.[0]?.LoadBalancerArn as string;
    const [testPort, twinPort] = (await freePorts(2)) as [number, number];
    const weighted = async (listenerArn: string) =>
      (
        await this.elb.send(
          new CreateRuleCommand({
            ListenerArn: listenerArn,
            Priority: priority,
            Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: [host] } }],
            Actions: [
              {
                Type: "forward",
                ForwardConfig: {
                  TargetGroups: [
                    { TargetGroupArn: blue, Weight: 100 },
                    { TargetGroupArn: green, Weight: 0 },
                  ],
                },
              },
            ],
          }),
        )
      ).Rules?.[0]?.RuleArn as string;
    const rules = {
      production: await weighted(this.listenerArn),
      test: await weighted(await this.extraListener(lbArn, testPort)),
      twin: await weighted(await this.extraListener(lbArn, twinPort)),
    };
    await this.elb.send(
      new AddTagsCommand({ ResourceArns: [rules.twin], Tags: [{ Key: TWIN_TAG, Value: rules.production }] }),
    );
    await this.logs.send(new CreateLogGroupCommand({ logGroupName: `/ecs/${name}` }));
    await this.region.settled();
    return { name, host, targetGroupArn: blue, greenArn: green, testPort, twinPort, rules };
  }

  /** An HTTP listener on `port` of the load balancer, or the one already there. */
  private async extraListener(loadBalancerArn: string, port: number): Promise<string> {
    const existing = (
      await this.elb.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }))
    ).Listeners?.find((l) => l.Port === port)?.ListenerArn;
    if (existing) return existing;
    const created = await this.elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: loadBalancerArn,
        Protocol: "HTTP",
        Port: port,
        DefaultActions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "404" } }],
      }),
    );
    return created.Listeners?.[0]?.ListenerArn as string;
  }

  /** The app's service with ECS's BLUE_GREEN strategy over its two groups (defaults: 1 task, 1 min bake). */
  async createShiftingService(
    app: ShiftingApp,
    taskDefinition: string,
    deploymentConfiguration: NonNullable<
      ConstructorParameters<typeof CreateServiceCommand>[0]["deploymentConfiguration"]
    >,
  ): Promise<Service> {
    const out = await this.ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: app.name,
        taskDefinition,
        desiredCount: 1,
        loadBalancers: [
          {
            targetGroupArn: app.targetGroupArn,
            containerName: "app",
            containerPort: 3000,
            advancedConfiguration: {
              alternateTargetGroupArn: app.greenArn,
              productionListenerRule: app.rules.production,
              testListenerRule: app.rules.test,
              roleArn: "arn:aws:iam::000000000000:role/ecs-infrastructure-load-balancers",
            },
          },
        ],
        healthCheckGracePeriodSeconds: 10,
        deploymentConfiguration: {
          strategy: "BLUE_GREEN",
          bakeTimeInMinutes: 1,
          deploymentCircuitBreaker: { enable: true, rollback: true },
          ...deploymentConfiguration,
        },
      }),
    );
    return out.service as Service;
  }

  private async createTargetGroup(name: string, drainSeconds: number): Promise<string> {
    const created = await this.elb.send(new CreateTargetGroupCommand(testTargetGroup(name)));
    const arn = created.TargetGroups?.[0]?.TargetGroupArn ?? "";
    await this.elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: arn,
        Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: String(drainSeconds) }],
      }),
    );
    return arn;
  }

  /** Packs the test server with VERSION=tag (and `env`) and pushes it as `<app>:<tag>`; returns its URI. */
  async pushImage(app: TestApp, tag: string, env: Record<string, string> = {}): Promise<string> {
    return pushPackedImage(this.ecr, app.name, tag, await testImage(tag, env));
  }

  /** A task definition of the app's family: container `app` on port 3000, awslogs to `/ecs/<name>`; cpu units and a task role when given. */
  async registerApp(
    app: TestApp,
    image: string,
    options: {
      memory?: number;
      cpu?: number;
      environment?: Record<string, string>;
      taskRoleArn?: string;
    } = {},
  ): Promise<string> {
    const environment = options.environment ?? { LOG_LEVEL: "debug" };
    const out = await this.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: app.name,
        networkMode: "bridge",
        ...(options.taskRoleArn ? { taskRoleArn: options.taskRoleArn } : {}),
        containerDefinitions: [
          {
            name: "app",
            image,
            memory: options.memory ?? 256,
            ...(options.cpu !== undefined ? { cpu: options.cpu } : {}),
            essential: true,
            stopTimeout: 5,
            portMappings: [{ containerPort: 3000, hostPort: 0, protocol: "tcp" }],
            environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
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
    return out.taskDefinition?.taskDefinitionArn ?? "";
  }

  /** The app's service behind its target group: rolling 200/100 with the circuit breaker and rollback. */
  async createService(app: TestApp, taskDefinition: string, desiredCount = 1): Promise<Service> {
    const out = await this.ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: app.name,
        taskDefinition,
        desiredCount,
        loadBalancers: [{ targetGroupArn: app.targetGroupArn, containerName: "app", containerPort: 3000 }],
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

  async describeService(app: TestApp): Promise<Service> {
    const out = await this.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [app.name] }));
    return out.services?.[0] as Service;
  }

  /** Waits for the deployment with this id to reach a final rolloutState and returns the service then. */
  waitForRollout(app: TestApp, deploymentId: string, timeoutMs = 45_000): Promise<Service> {
    return waitFor(
      `deployment ${deploymentId} to finish`,
      async () => {
        const service = await this.describeService(app);
        const deployment = service.deployments?.find((d) => d.id === deploymentId);
        if (!deployment) return service;
        return deployment.rolloutState === "IN_PROGRESS" ? undefined : service;
      },
      timeoutMs,
    );
  }

  /** Until the service's only deployment is COMPLETED and every target is healthy: a settled baseline. */
  async steady(app: TestApp, timeoutMs = 60_000): Promise<void> {
    await waitFor(
      `${app.name} to be steady`,
      async () => {
        const service = await this.describeService(app);
        const done =
          service.deployments?.length === 1 && service.deployments[0]?.rolloutState === "COMPLETED";
        const health = await this.elb.send(
          new DescribeTargetHealthCommand({ TargetGroupArn: app.targetGroupArn }),
        );
        const states = health.TargetHealthDescriptions?.map((d) => d.TargetHealth?.State) ?? [];
        return done && states.length > 0 && states.every((s) => s === "healthy");
      },
      timeoutMs,
    );
  }

  /** The app's newest service deployment, as DescribeServiceDeployments shows it. */
  async latestServiceDeployment(app: TestApp): Promise<ServiceDeployment | undefined> {
    return newestServiceDeployment(this.ecs, CLUSTER, app.name);
  }

  /** Until the newest service deployment satisfies `done` (e.g. a stage or a status). */
  waitForServiceDeployment(
    app: TestApp,
    what: string,
    done: (sd: ServiceDeployment) => boolean,
    timeoutMs = 60_000,
  ): Promise<ServiceDeployment> {
    return waitFor(
      `${app.name}'s deployment: ${what}`,
      async () => {
        const sd = await this.latestServiceDeployment(app);
        return sd && done(sd) ? sd : undefined;
      },
      timeoutMs,
    );
  }

  /** Clones the service's task definition with a new image, registers it and updates the service, as `ecs deploy` does. */
  async deployImage(app: TestApp, image: string): Promise<string> {
    const service = await this.describeService(app);
    const current = await this.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }),
    );
    const td = current.taskDefinition;
    const registered = await this.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: td?.family,
        networkMode: td?.networkMode,
        containerDefinitions: td?.containerDefinitions?.map((c) => ({ ...c, image })),
      }),
    );
    const updated = await this.ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: app.name,
        taskDefinition: registered.taskDefinition?.taskDefinitionArn,
      }),
    );
    return updated.service?.deployments?.find((d) => d.status === "PRIMARY")?.id ?? "";
  }

  /** GET through the load balancer with the app's Host header (fetch() won't send one; node:http will). */
  get(app: TestApp, path: string, port = this.listenerPort): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, path, headers: { host: app.host }, agent: keepAlive },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk) => {
            body += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.setTimeout(5000, () => req.destroy(new Error("request timed out")));
      req.on("error", reject);
      req.end();
    });
  }

  /** Requests `path` of the app every `pauseMs` until stopped, at most `max` times; a failed request is status 0. */
  load(app: TestApp, options: { max?: number; pauseMs?: number; path?: string; port?: number } = {}) {
    const { max = 4000, pauseMs = 25, path = "/version", port = this.listenerPort } = options;
    const results: LoadResult[] = [];
    let on = true;
    const running = (async () => {
      for (let i = 0; i < max && on; i++) {
        const sentAt = Date.now();
        const answer = await this.get(app, path, port).catch((e: Error) => ({ status: 0, body: e.message }));
        results.push({ ...answer, sentAt, at: Date.now() });
        await new Promise((r) => setTimeout(r, pauseMs));
      }
    })();
    return {
      stop: async (): Promise<LoadResult[]> => {
        on = false;
        await running;
        return results;
      },
    };
  }
}
