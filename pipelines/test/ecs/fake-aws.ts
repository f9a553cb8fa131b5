import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  DescribeMetricFiltersCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  type MetricFilter,
} from "@aws-sdk/client-cloudwatch-logs";
import { DescribeImagesCommand, ECRClient } from "@aws-sdk/client-ecr";
import {
  type ContainerDefinition,
  type Deployment,
  DeregisterTaskDefinitionCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type Service,
  type ServiceEvent,
  StopServiceDeploymentCommand,
  type Tag,
  TagResourceCommand,
  type Task,
  type TaskDefinition,
  UpdateServiceCommand,
  type UpdateServiceCommandInput,
} from "@aws-sdk/client-ecs";
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { type AwsOptions, type Clients, createClients } from "../../src/ecs/aws/clients.js";
import type { Clock } from "../../src/ecs/aws/clock.js";
import type { RetryBackoff } from "../../src/ecs/aws/retry.js";
import { memorySink } from "../../src/ecs/output/reporter.js";
import { runCli } from "../../src/ecs/program.js";

// A scripted stand-in for ECS, ECR, ELBv2 and CloudWatch Logs behind aws-sdk-client-mock: AWS itself
// can't run in a unit test. State is plain data; a scenario script moves it forward on each
// DescribeServices after a deployment starts, like ECS's scheduler would between two polls.
// The CLI keeps its real clients: the mocks answer at the end of their middleware stack, so the SDK's
// retry strategy (and signing, endpoints) runs as in production and sees the fake's throttling.

export const ACCOUNT = "123456789012";
export const REGION = "eu-west-1";
export const REPO_HOST = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
export const TG = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/api-qa/0123456789abcdef`;
export const INSTANCE = "i-0local0000000000";
export const digest = (c: string) => `sha256:${c.repeat(64)}`;
export const tdArn = (family: string, revision: number) =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;

export interface Revision {
  taskDefinition: TaskDefinition;
  tags: Tag[];
}

export interface ServiceState {
  service: Service;
  /** Running (and draining) tasks; stopped ones move to `stopped`. */
  tasks: Task[];
  stopped: Task[];
  targets: { Id: string; Port: number; State: string }[];
  /** Applied on each DescribeServices after an UpdateService (index = polls since then). */
  script: ((s: ServiceState, w: World) => void)[];
  polls: number;
  /** What StopServiceDeployment(ROLLBACK) does; default: start a rollback deployment that completes. */
  onStopDeployment?: (s: ServiceState, w: World) => void;
}

/** Retries wait 1 ms, not the SDK's backoff: that wait is real time, and the world's clock is not. */
const QUICK_RETRIES: RetryBackoff = { computeNextBackoffDelay: () => 1, setDelayBase: () => undefined };
const FAKE_CREDENTIALS = { accessKeyId: "AKIAFAKEFAKEFAKEFAKE", secretAccessKey: "fake" };

/** What the fake needs of a client: the CLI's to end its middleware stack, a mock's to ask. */
interface Stacked {
  middlewareStack: { add(middleware: never, options: never): void };
}
interface Answering {
  send(command: never): Promise<object>;
}

/** The innermost step of a client's stack: the mock answers where HTTP and deserializing would. */
function answerFrom(client: Stacked, mock: Answering): void {
  const answer =
    (_next: unknown, context: { __smithy_context?: { commandInstance?: unknown } }) => async () => {
      const output = await mock.send(context.__smithy_context?.commandInstance as never);
      return { output: { $metadata: {}, ...output }, response: {} };
    };
  const where = { step: "deserialize", priority: "high", name: "fakeAws" };
  client.middlewareStack.add(answer as never, where as never);
}

export class World {
  private readonly backends = {
    ecs: new ECSClient({}),
    ecr: new ECRClient({}),
    elbv2: new ElasticLoadBalancingV2Client({}),
    logs: new CloudWatchLogsClient({}),
    cloudwatch: new CloudWatchClient({}),
  };
  readonly ecs = mockClient(this.backends.ecs);
  readonly ecr = mockClient(this.backends.ecr);
  readonly elbv2 = mockClient(this.backends.elbv2);
  readonly logs = mockClient(this.backends.logs);
  readonly cloudwatch = mockClient(this.backends.cloudwatch);
  /** CloudWatch alarms by name, as DescribeAlarms returns them. */
  readonly alarms = new Map<string, MetricAlarm>();
  /** DescribeAlarms calls so far, and what happens at each (an alarm firing mid-bake). */
  alarmLooks = 0;
  onAlarmLook?: (look: number) => void;
  /** CloudWatch Logs metric filters, for DescribeMetricFilters. */
  readonly metricFilters: MetricFilter[] = [];
  /** Events of log groups, for FilterLogEvents (the pattern is not applied: the test gives the matches). */
  readonly groupEvents = new Map<string, { logStreamName: string; timestamp: number; message: string }[]>();
  readonly revisions = new Map<string, Revision>();
  readonly services = new Map<string, ServiceState>();
  /** `repo:tag` or `repo@digest` → digest. */
  readonly images = new Map<string, string>();
  readonly logLines = new Map<string, string[]>();
  /** What a crashing task's container logs before it exits (its awslogs stream gets these lines). */
  crashLog: string[] = [];
  readonly clusters = new Set(["platform"]);
  now = new Date("2026-01-01T10:00:00Z");
  private deploymentSeq = 0;
  private taskSeq = 0;
  stopServiceDeploymentSupported = true;
  /** What else an UpdateService does (the blue/green fake starts a service deployment). */
  onUpdateService?: (s: ServiceState, input: UpdateServiceCommandInput) => void;
  /** Make a call fail this many times with ThrottlingException before it answers. */
  throttle = new Map<string, number>();

  constructor() {
    this.wire();
  }

  clock: Clock = {
    now: () => new Date(this.now.getTime()),
    sleep: async (ms) => {
      this.now = new Date(this.now.getTime() + ms);
      await Promise.resolve();
    },
  };

  addRevision(
    taskDefinition: Omit<TaskDefinition, "taskDefinitionArn" | "status">,
    tags: Tag[] = [],
  ): string {
    const arn = tdArn(taskDefinition.family!, taskDefinition.revision!);
    this.revisions.set(arn, {
      taskDefinition: { ...taskDefinition, taskDefinitionArn: arn, status: "ACTIVE" },
      tags,
    });
    return arn;
  }

  addService(name: string, taskDefinitionArn: string, desiredCount = 2): ServiceState {
    const deploymentId = this.nextDeploymentId();
    const state: ServiceState = {
      service: {
        serviceName: name,
        serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/platform/${name}`,
        status: "ACTIVE",
        taskDefinition: taskDefinitionArn,
        desiredCount,
        runningCount: desiredCount,
        pendingCount: 0,
        loadBalancers: [{ targetGroupArn: TG, containerName: "api", containerPort: 3000 }],
        deploymentConfiguration: {
          maximumPercent: 200,
          minimumHealthyPercent: 100,
          deploymentCircuitBreaker: { enable: true, rollback: true },
        },
        deployments: [
          {
            id: deploymentId,
            status: "PRIMARY",
            taskDefinition: taskDefinitionArn,
            desiredCount,
            runningCount: desiredCount,
            pendingCount: 0,
            failedTasks: 0,
            rolloutState: "COMPLETED",
            createdAt: this.now,
          },
        ],
        events: [],
      },
      tasks: [],
      stopped: [],
      targets: [],
      script: [],
      polls: 0,
    };
    for (let i = 0; i < desiredCount; i++) this.startTask(state, deploymentId, taskDefinitionArn, "healthy");
    this.services.set(name, state);
    return state;
  }

  nextDeploymentId(): string {
    this.deploymentSeq++;
    return `ecs-svc/${String(this.deploymentSeq).padStart(19, "0")}`;
  }

  /** A RUNNING task of a deployment, registered in the target group in `targetState`. */
  startTask(s: ServiceState, deploymentId: string, taskDefinitionArn: string, targetState: string): Task {
    this.taskSeq++;
    const port = 40000 + this.taskSeq;
    const task: Task = {
      taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/platform/task${this.taskSeq}`,
      startedBy: deploymentId,
      taskDefinitionArn,
      lastStatus: "RUNNING",
      desiredStatus: "RUNNING",
      healthStatus: "UNKNOWN",
      containerInstanceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/platform/local`,
      containers: [
        { name: "api", networkBindings: [{ containerPort: 3000, hostPort: port, protocol: "tcp" }] },
      ],
    };
    s.tasks.push(task);
    s.targets.push({ Id: INSTANCE, Port: port, State: targetState });
    return task;
  }

  /** A task that exits at start: STOPPED with ECS's reason and the container's exit code. */
  crashTask(s: ServiceState, deploymentId: string, taskDefinitionArn: string): Task {
    this.taskSeq++;
    const task: Task = {
      taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/platform/task${this.taskSeq}`,
      startedBy: deploymentId,
      taskDefinitionArn,
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
      stoppedAt: this.now,
      containers: [{ name: "api", exitCode: 1, reason: undefined }],
    };
    s.stopped.push(task);
    this.logLines.set(`api/api/task${this.taskSeq}`, this.crashLog);
    return task;
  }

  primary(s: ServiceState): Deployment {
    return s.service.deployments!.find((d) => d.status === "PRIMARY")!;
  }

  event(s: ServiceState, message: string): void {
    const event: ServiceEvent = { id: String(Math.random()), createdAt: this.now, message };
    s.service.events = [event, ...(s.service.events ?? [])];
  }

  /** Old tasks: targets draining, their deployment scaled to zero (ECS committed to the new ones). */
  drainOld(s: ServiceState, keepDeploymentId: string): void {
    for (const d of s.service.deployments!) if (d.id !== keepDeploymentId) d.desiredCount = 0;
    for (const task of s.tasks) {
      if (task.startedBy === keepDeploymentId) continue;
      task.desiredStatus = "STOPPED";
      const port = task.containers?.[0]?.networkBindings?.[0]?.hostPort;
      const target = s.targets.find((t) => t.Port === port);
      if (target) target.State = "draining";
    }
  }

  /** A deployment is done: COMPLETED, older deployments and their tasks gone. */
  complete(s: ServiceState, deploymentId: string): void {
    const d = s.service.deployments!.find((x) => x.id === deploymentId)!;
    d.rolloutState = "COMPLETED";
    d.runningCount = d.desiredCount;
    s.service.deployments = [d];
    const gone = s.tasks.filter((t) => t.startedBy !== deploymentId);
    s.tasks = s.tasks.filter((t) => t.startedBy === deploymentId);
    const ports = new Set(gone.map((t) => t.containers?.[0]?.networkBindings?.[0]?.hostPort));
    s.targets = s.targets.filter((t) => !ports.has(t.Port));
    this.event(s, `(service ${s.service.serviceName}) has reached a steady state.`);
  }

  /** ECS's own rollback: a new PRIMARY deployment back to `to`, ours ACTIVE and FAILED. */
  rollBackTo(s: ServiceState, to: string, reason: string): Deployment {
    for (const d of s.service.deployments!) {
      if (d.status === "PRIMARY") {
        d.status = "ACTIVE";
        d.rolloutState = "FAILED";
        d.rolloutStateReason = reason;
      }
    }
    const rollback: Deployment = {
      id: this.nextDeploymentId(),
      status: "PRIMARY",
      taskDefinition: to,
      desiredCount: s.service.desiredCount,
      runningCount: 0,
      pendingCount: 0,
      failedTasks: 0,
      rolloutState: "IN_PROGRESS",
      createdAt: this.now,
    };
    s.service.deployments!.unshift(rollback);
    s.service.taskDefinition = to;
    s.script = [() => undefined, (state) => this.complete(state, rollback.id!)];
    s.polls = 0;
    return rollback;
  }

  calls(name: string): unknown[] {
    const all = [
      ...this.ecs.calls(),
      ...this.ecr.calls(),
      ...this.elbv2.calls(),
      ...this.logs.calls(),
      ...this.cloudwatch.calls(),
    ];
    return all
      .filter((c) => (c.args[0] as { constructor: { name: string } }).constructor.name === `${name}Command`)
      .map((c) => (c.args[0] as { input: unknown }).input);
  }

  private maybeThrottle(name: string): void {
    const left = this.throttle.get(name) ?? 0;
    if (left > 0) {
      this.throttle.set(name, left - 1);
      const error = new Error("Rate exceeded");
      error.name = "ThrottlingException";
      Object.assign(error, { $metadata: { httpStatusCode: 400 } });
      throw error;
    }
  }

  private state(cluster: string | undefined, service: string): ServiceState {
    if (!this.clusters.has(cluster ?? "default"))
      throw awsError("ClusterNotFoundException", "Cluster not found.");
    const s = this.services.get(service.slice(service.lastIndexOf("/") + 1));
    if (!s) throw awsError("ServiceNotFoundException", "Service not found.");
    return s;
  }

  private revision(id: string): Revision {
    const arn = id.startsWith("arn:") ? id : tdArn(id.split(":")[0]!, Number(id.split(":")[1]));
    const found = this.revisions.get(arn);
    if (!found) throw awsError("ClientException", "Unable to describe task definition.");
    return found;
  }

  private wire(): void {
    this.ecs.on(DescribeServicesCommand).callsFake((input) => {
      this.maybeThrottle("DescribeServices");
      if (!this.clusters.has(input.cluster ?? "default"))
        throw awsError("ClusterNotFoundException", "Cluster not found.");
      const services: Service[] = [];
      const failures = [];
      for (const name of input.services ?? []) {
        const s = this.services.get(name);
        if (!s) {
          failures.push({ arn: name, reason: "MISSING" });
          continue;
        }
        const step = s.script[s.polls];
        s.polls++;
        step?.(s, this);
        s.service.runningCount = s.tasks.filter((t) => t.desiredStatus === "RUNNING").length;
        services.push(structuredClone(s.service));
      }
      return { services, failures };
    });
    this.ecs.on(ListServicesCommand).callsFake(() => ({
      serviceArns: [...this.services.values()].map((s) => s.service.serviceArn!),
    }));
    this.ecs.on(DescribeTaskDefinitionCommand).callsFake((input) => {
      const r = this.revision(input.taskDefinition!);
      return structuredClone({ taskDefinition: r.taskDefinition, tags: r.tags });
    });
    this.ecs.on(RegisterTaskDefinitionCommand).callsFake((input) => {
      const family = input.family!;
      const revision =
        Math.max(
          0,
          ...[...this.revisions.values()]
            .filter((r) => r.taskDefinition.family === family)
            .map((r) => r.taskDefinition.revision!),
        ) + 1;
      const { tags, ...rest } = input;
      const arn = this.addRevision({ ...rest, family, revision } as TaskDefinition, tags ?? []);
      return { taskDefinition: structuredClone(this.revisions.get(arn)!.taskDefinition), tags };
    });
    this.ecs.on(UpdateServiceCommand).callsFake((input) => {
      const s = this.state(input.cluster, input.service!);
      if (input.desiredCount !== undefined) s.service.desiredCount = input.desiredCount;
      if (input.deploymentConfiguration)
        s.service.deploymentConfiguration = structuredClone(input.deploymentConfiguration);
      if (input.taskDefinition) {
        const arn = this.revision(input.taskDefinition).taskDefinition.taskDefinitionArn!;
        for (const d of s.service.deployments!) d.status = "ACTIVE";
        s.service.deployments!.unshift({
          id: this.nextDeploymentId(),
          status: "PRIMARY",
          taskDefinition: arn,
          desiredCount: s.service.desiredCount,
          runningCount: 0,
          pendingCount: 0,
          failedTasks: 0,
          rolloutState: "IN_PROGRESS",
          createdAt: this.now,
        });
        s.service.taskDefinition = arn;
        s.polls = 0;
      }
      this.onUpdateService?.(s, input);
      return { service: structuredClone(s.service) };
    });
    this.ecs.on(ListTasksCommand).callsFake((input) => {
      const s = this.state(input.cluster, input.serviceName!);
      const tasks =
        input.desiredStatus === "STOPPED"
          ? [...s.stopped, ...s.tasks.filter((t) => t.desiredStatus === "STOPPED")]
          : s.tasks.filter((t) => t.desiredStatus === "RUNNING");
      return { taskArns: tasks.map((t) => t.taskArn!) };
    });
    this.ecs.on(DescribeTasksCommand).callsFake((input) => {
      const all = [...this.services.values()].flatMap((s) => [...s.tasks, ...s.stopped]);
      return { tasks: structuredClone(all.filter((t) => input.tasks?.includes(t.taskArn!))) };
    });
    this.ecs.on(DescribeContainerInstancesCommand).callsFake((input) => ({
      containerInstances: (input.containerInstances ?? []).map((arn: string) => ({
        containerInstanceArn: arn,
        ec2InstanceId: INSTANCE,
      })),
    }));
    this.ecs.on(ListServiceDeploymentsCommand).callsFake((input) => {
      if (!this.stopServiceDeploymentSupported)
        throw awsError("UnknownOperationException", "Unknown operation");
      const s = this.state(input.cluster, input.service!);
      const primary = this.primary(s);
      return {
        serviceDeployments:
          primary.rolloutState === "IN_PROGRESS"
            ? [
                {
                  serviceDeploymentArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/platform/${s.service.serviceName}/${primary.id}`,
                  status: "IN_PROGRESS",
                  startedAt: primary.createdAt,
                  createdAt: primary.createdAt,
                },
              ]
            : [],
      };
    });
    this.ecs.on(StopServiceDeploymentCommand).callsFake((input) => {
      const name = input.serviceDeploymentArn!.split("/")[2]!;
      const s = this.services.get(name)!;
      if (s.onStopDeployment) s.onStopDeployment(s, this);
      else {
        const lastGood = s.service.deployments!.find(
          (d) => d.status === "ACTIVE" && d.rolloutState === "COMPLETED",
        );
        this.rollBackTo(
          s,
          lastGood!.taskDefinition!,
          "Service deployment rolled back because of a StopServiceDeployment request.",
        );
      }
      return { serviceDeploymentArn: input.serviceDeploymentArn };
    });
    this.ecs.on(ListTaskDefinitionsCommand).callsFake((input) => ({
      taskDefinitionArns: [...this.revisions.values()]
        .filter(
          (r) =>
            r.taskDefinition.family!.startsWith(input.familyPrefix ?? "") &&
            r.taskDefinition.status === "ACTIVE",
        )
        .sort((a, b) => b.taskDefinition.revision! - a.taskDefinition.revision!)
        .map((r) => r.taskDefinition.taskDefinitionArn!),
    }));
    this.ecs.on(DeregisterTaskDefinitionCommand).callsFake((input) => {
      const r = this.revision(input.taskDefinition!);
      r.taskDefinition.status = "INACTIVE";
      return { taskDefinition: r.taskDefinition };
    });
    this.ecs.on(TagResourceCommand).callsFake((input) => {
      const r = this.revision(input.resourceArn!);
      const keys = new Set(input.tags?.map((t: Tag) => t.key));
      r.tags = [...r.tags.filter((t) => !keys.has(t.key)), ...(input.tags ?? [])];
      return {};
    });
    this.ecr.on(DescribeImagesCommand).callsFake((input) => {
      const id = input.imageIds?.[0];
      const key = id?.imageDigest
        ? `${input.repositoryName}@${id.imageDigest}`
        : `${input.repositoryName}:${id?.imageTag}`;
      if (
        ![...this.images.keys()].some(
          (k) => k.startsWith(`${input.repositoryName}:`) || k.startsWith(`${input.repositoryName}@`),
        )
      ) {
        throw awsError(
          "RepositoryNotFoundException",
          `The repository with name '${input.repositoryName}' does not exist`,
        );
      }
      const found = this.images.get(key);
      if (!found)
        throw awsError(
          "ImageNotFoundException",
          `The image with imageId {${JSON.stringify(id)}} does not exist`,
        );
      return {
        imageDetails: [
          {
            repositoryName: input.repositoryName,
            imageDigest: found,
            imageTags: id?.imageTag ? [id.imageTag] : [],
          },
        ],
      };
    });
    this.elbv2.on(DescribeTargetHealthCommand).callsFake((input) => {
      const s = [...this.services.values()].find((x) =>
        x.service.loadBalancers?.some((lb) => lb.targetGroupArn === input.TargetGroupArn),
      );
      return {
        TargetHealthDescriptions: (s?.targets ?? []).map((t: ServiceState["targets"][number]) => ({
          Target: { Id: t.Id, Port: t.Port },
          TargetHealth: { State: t.State as never },
        })),
      };
    });
    this.logs.on(GetLogEventsCommand).callsFake((input) => ({
      events: (this.logLines.get(input.logStreamName!) ?? []).map((message) => ({ message })),
    }));
    this.wireAlarmsAndLogs();
  }

  /** An alarm in `state` since now, with a 60 s period over one evaluation period unless told. */
  setAlarm(name: string, state: "OK" | "ALARM" | "INSUFFICIENT_DATA", over: Partial<MetricAlarm> = {}): void {
    const existing = this.alarms.get(name);
    this.alarms.set(name, {
      AlarmName: name,
      Namespace: "Platform/api",
      MetricName: `${name}-count`,
      Period: 60,
      EvaluationPeriods: 1,
      ...existing,
      ...over,
      StateValue: state,
      StateReason: over.StateReason ?? `set to ${state} by the test`,
      StateTransitionedTimestamp: new Date(this.now.getTime()),
    });
  }

  private wireAlarmsAndLogs(): void {
    this.cloudwatch.on(DescribeAlarmsCommand).callsFake((input) => {
      this.alarmLooks++;
      this.onAlarmLook?.(this.alarmLooks);
      return {
        MetricAlarms: (input.AlarmNames ?? [])
          .map((n: string) => this.alarms.get(n))
          .filter((a: MetricAlarm | undefined) => a !== undefined),
      };
    });
    this.logs.on(DescribeMetricFiltersCommand).callsFake((input) => ({
      metricFilters: this.metricFilters.filter((f) =>
        f.metricTransformations?.some(
          (m) => m.metricName === input.metricName && m.metricNamespace === input.metricNamespace,
        ),
      ),
    }));
    this.logs.on(FilterLogEventsCommand).callsFake((input) => ({
      events: (this.groupEvents.get(input.logGroupName!) ?? [])
        .filter((e) => !input.logStreamNamePrefix || e.logStreamName.startsWith(input.logStreamNamePrefix))
        .filter((e) => !input.logStreamNames || input.logStreamNames.includes(e.logStreamName))
        .filter((e) => input.startTime === undefined || e.timestamp >= input.startTime)
        .map((e) => ({ ...e, eventId: `${e.logStreamName}-${e.timestamp}` })),
    }));
  }

  pushImage(repository: string, tag: string, imageDigest: string): void {
    this.images.set(`${repository}:${tag}`, imageDigest);
    this.images.set(`${repository}@${imageDigest}`, imageDigest);
  }

  restore(): void {
    for (const m of [this.ecs, this.ecr, this.elbv2, this.logs, this.cloudwatch]) m.restore();
  }

  /** The clients the CLI makes, with their middleware, answered by this world. */
  clients(options: AwsOptions): Clients {
    const clients = createClients(
      { region: options.region ?? REGION, profile: options.profile },
      { credentials: FAKE_CREDENTIALS, retryBackoff: QUICK_RETRIES },
    );
    answerFrom(clients.ecs, this.backends.ecs);
    answerFrom(clients.elbv2, this.backends.elbv2);
    answerFrom(clients.logs, this.backends.logs);
    answerFrom(clients.cloudwatch, this.backends.cloudwatch);
    const ecr = clients.ecr.bind(clients);
    const connected = new Set<ECRClient>();
    clients.ecr = (region) => {
      const client = ecr(region);
      if (!connected.has(client)) answerFrom(client, this.backends.ecr);
      connected.add(client);
      return client;
    };
    return clients;
  }
}

export function awsError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  Object.assign(error, { $fault: "client", $metadata: { httpStatusCode: 400 } });
  return error;
}

export function apiContainer(over: Partial<ContainerDefinition> = {}): ContainerDefinition {
  return {
    name: "api",
    image: `${REPO_HOST}/api-qa@${digest("a")}`,
    memory: 1024,
    essential: true,
    portMappings: [{ containerPort: 3000, hostPort: 0, protocol: "tcp" }],
    environment: [{ name: "ROLE", value: "all" }],
    logConfiguration: {
      logDriver: "awslogs",
      options: { "awslogs-group": "/platform/api-qa", "awslogs-stream-prefix": "api" },
    },
    ...over,
  };
}

/** A service `api-qa` serving api-qa:4 (image v1 = digest a), with v2 = digest b pushed. */
export function standardWorld(serving: ContainerDefinition = apiContainer()): {
  world: World;
  service: ServiceState;
} {
  const world = new World();
  world.pushImage("api-qa", "v1", digest("a"));
  world.pushImage("api-qa", "v2", digest("b"));
  for (let revision = 1; revision <= 4; revision++) {
    world.addRevision(
      {
        family: "api-qa",
        revision,
        networkMode: "bridge",
        containerDefinitions: [revision === 4 ? serving : apiContainer()],
      },
      revision === 4
        ? [
            { key: "ecs-deploy:image:api", value: `${REPO_HOST}/api-qa:v1` },
            { key: "ecs-deploy:previous", value: "api-qa:2" },
          ]
        : [],
    );
  }
  const service = world.addService("api-qa", tdArn("api-qa", 4));
  return { world, service };
}

/** ECS bringing up healthy new tasks: pending, running with initial targets, healthy + old draining, completed. */
export function goodRollout(world: World): ServiceState["script"] {
  const steps: ((state: ServiceState) => void)[] = [
    (state) => {
      world.primary(state).pendingCount = 2;
    },
    (state) => {
      const d = world.primary(state);
      for (let i = 0; i < 2; i++) world.startTask(state, d.id!, d.taskDefinition!, "initial");
      d.pendingCount = 0;
      d.runningCount = 2;
    },
    (state) => {
      const d = world.primary(state);
      for (const t of state.targets.slice(-2)) t.State = "healthy";
      world.drainOld(state, d.id!);
    },
    (state) => world.complete(state, world.primary(state).id!),
  ];
  return steps;
}

/**
 * Tasks of `badRevision` exit at start, one more each poll; a deployment of any other revision
 * (the rollback) completes at once.
 */
export function crashingRollout(world: World, badRevision: string): ServiceState["script"] {
  const step = (state: ServiceState) => {
    const d = world.primary(state);
    if (d.taskDefinition !== badRevision) return world.complete(state, d.id!);
    world.crashTask(state, d.id!, d.taskDefinition!);
    d.failedTasks = (d.failedTasks ?? 0) + 1;
  };
  return Array.from({ length: 10 }, () => step);
}

export interface CliRun {
  exitCode: number;
  out: string[];
  err: string[];
  text: string;
}

export async function runEcs(world: World, argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const exitCode = await runCli(
    argv,
    {
      env,
      isTty: false,
      sink: (redactor) => {
        const sink = memorySink(redactor);
        return {
          out: (l) => {
            sink.out(l);
            out.push(sink.lines.pop()!);
          },
          err: (l) => {
            sink.err(l);
            err.push(sink.errors.pop()!);
          },
        };
      },
      clock: world.clock,
      clients: (options) => world.clients(options),
      pollIntervalMs: 2000,
      setExitCode: () => undefined,
    },
    (text) => err.push(text.trimEnd()),
    (text) => out.push(text.trimEnd()),
  );
  return { exitCode, out, err, text: [...out, ...err].join("\n") };
}
