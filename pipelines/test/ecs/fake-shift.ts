import {
  ContinueServiceDeploymentCommand,
  type ContinueServiceDeploymentCommandInput,
  type DeploymentConfiguration,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ListServiceDeploymentsCommand,
  type ServiceDeployment,
  StopServiceDeploymentCommand,
} from "@aws-sdk/client-ecs";
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { LIFECYCLE_STAGES } from "../../src/ecs/model/service-deployment.js";
import { ACCOUNT, REGION, type ServiceState, standardWorld, TG, type World } from "./fake-aws.js";

// ECS's own blue/green for the scripted fake: UpdateService on a BLUE_GREEN / CANARY / LINEAR service
// starts a service deployment that goes one lifecycle stage further on each DescribeServiceDeployments,
// moves the test and production rules' weights as ECS would, waits at a PAUSE hook until
// ContinueServiceDeployment, bakes bakeTimeInMinutes on the world's clock, and rolls back when told to
// (StopServiceDeployment, a hook's ROLLBACK, or `failAt`).

const ELB = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}`;
export const TG_GREEN = `${ELB}:targetgroup/api-qa-green/fedcba9876543210`;
export const LB = `${ELB}:loadbalancer/app/platform/50dc6c495c0c9188`;
export const PROD_LISTENER = `${ELB}:listener/app/platform/50dc6c495c0c9188/0000000000000443`;
export const TEST_LISTENER = `${ELB}:listener/app/platform/50dc6c495c0c9188/0000000000009443`;
export const PROD_RULE = `${ELB}:listener-rule/app/platform/50dc6c495c0c9188/0000000000000443/1111111111111111`;
export const TEST_RULE = `${ELB}:listener-rule/app/platform/50dc6c495c0c9188/0000000000009443/2222222222222222`;
export const ROLE = `arn:aws:iam::${ACCOUNT}:role/ecs-load-balancer`;
export const REVISION = (n: number) =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:service-revision/platform/api-qa/${n}`;

export class ShiftFake {
  readonly deployments = new Map<string, ServiceDeployment>();
  /** Green's weight (percent) on each rule; blue has the rest. */
  readonly greenWeight = new Map([
    [PROD_RULE, 0],
    [TEST_RULE, 0],
  ]);
  /** Service revision ARN → task definition ARN. */
  readonly revisions = new Map<string, string>();
  readonly continued: ContinueServiceDeploymentCommandInput[] = [];
  /** Roll back (as ECS's alarms or circuit breaker would) when the deployment reaches this stage. */
  failAt?: { stage: string; reason: string; triggeredAlarms?: string[] };
  /** Bake at most this long, as the local region does with local.maxDeploymentBakeSeconds. */
  maxBakeSeconds?: number;
  testListener = { protocol: "HTTPS" as const, port: 9443, dnsName: "platform-1.eu-west-1.elb.localhost" };
  private seq = 0;
  private bakeUntil = new Map<string, number>();

  constructor(
    private readonly world: World,
    private readonly state: ServiceState,
  ) {
    world.onUpdateService = (s, input) => {
      if (input.taskDefinition) this.start(s);
    };
    const current = this.addDeployment(s0(state), "SUCCESSFUL", "CLEAN_UP");
    state.service.currentServiceDeployment = current.serviceDeploymentArn;
    this.wire();
  }

  /** The deployment ECS started last. */
  latest(): ServiceDeployment {
    return [...this.deployments.values()].at(-1)!;
  }

  private addDeployment(taskDefinition: string, status: string, stage: string): ServiceDeployment {
    this.seq++;
    const revision = REVISION(this.seq);
    this.revisions.set(revision, taskDefinition);
    const previous = [...this.deployments.values()].at(-1)?.targetServiceRevision?.arn;
    const sd: ServiceDeployment = {
      serviceDeploymentArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/platform/api-qa/sd${this.seq}`,
      serviceArn: this.state.service.serviceArn,
      createdAt: this.world.now,
      startedAt: this.world.now,
      status: status as never,
      lifecycleStage: stage as never,
      targetServiceRevision: { arn: revision, requestedTaskCount: 2, runningTaskCount: 0 },
      sourceServiceRevisions: previous ? [{ arn: previous, runningTaskCount: 2 }] : [],
      deploymentConfiguration: structuredClone(this.state.service.deploymentConfiguration),
      lifecycleHookDetails: [],
      alarms: {
        status: "MONITORING",
        alarmNames: this.state.service.deploymentConfiguration?.alarms?.alarmNames ?? [],
      },
      deploymentCircuitBreaker: { status: "MONITORING", failureCount: 0, threshold: 3 },
    };
    this.deployments.set(sd.serviceDeploymentArn!, sd);
    return sd;
  }

  private start(s: ServiceState): void {
    const sd = this.addDeployment(s.service.taskDefinition!, "IN_PROGRESS", "RECONCILE_SERVICE");
    s.service.currentServiceDeployment = sd.serviceDeploymentArn;
  }

  /** One look: the deployment moves on as ECS would between two polls. */
  private advance(sd: ServiceDeployment): void {
    if (sd.status === "ROLLBACK_IN_PROGRESS" || sd.status === "ROLLBACK_REQUESTED") {
      this.rolledBack(sd);
      return;
    }
    if (sd.status !== "IN_PROGRESS") return;
    const stage = sd.lifecycleStage!;
    if (this.waitsAtHook(sd, stage)) return;
    if (
      stage === "BAKE_TIME" &&
      this.world.now.getTime() < (this.bakeUntil.get(sd.serviceDeploymentArn!) ?? 0)
    )
      return;
    if (stage === "CLEAN_UP") {
      sd.status = "SUCCESSFUL";
      sd.finishedAt = this.world.now;
      sd.alarms!.status = "MONITORING_COMPLETE";
      return;
    }
    const next = LIFECYCLE_STAGES[LIFECYCLE_STAGES.indexOf(stage as never) + 1]!;
    sd.lifecycleStage = next as never;
    if (next === "SCALE_UP") sd.targetServiceRevision!.runningTaskCount = 2;
    if (next === "TEST_TRAFFIC_SHIFT") this.greenWeight.set(TEST_RULE, 100);
    if (next === "PRODUCTION_TRAFFIC_SHIFT") this.greenWeight.set(PROD_RULE, 100);
    if (next === "BAKE_TIME") {
      const seconds = (sd.deploymentConfiguration?.bakeTimeInMinutes ?? 0) * 60;
      const baked = Math.min(seconds, this.maxBakeSeconds ?? seconds);
      this.bakeUntil.set(sd.serviceDeploymentArn!, this.world.now.getTime() + baked * 1000);
    }
    this.waitsAtHook(sd, next);
    if (this.failAt?.stage === next) {
      sd.status = "ROLLBACK_IN_PROGRESS";
      sd.statusReason = this.failAt.reason;
      sd.rollback = { reason: this.failAt.reason, startedAt: this.world.now };
      if (this.failAt.triggeredAlarms) {
        sd.alarms = { ...sd.alarms, status: "TRIGGERED", triggeredAlarmNames: this.failAt.triggeredAlarms };
      }
    }
  }

  private waitsAtHook(sd: ServiceDeployment, stage: string): boolean {
    const hooks = (sd.deploymentConfiguration?.lifecycleHooks ?? []).filter(
      (h) => h.targetType === "PAUSE" && h.lifecycleStages?.includes(stage as never),
    );
    if (hooks.length === 0) return false;
    const details = sd.lifecycleHookDetails!;
    if (details.length === 0) {
      for (const [i] of hooks.entries()) {
        details.push({
          hookId: `hook-${stage}-${i}`,
          targetType: "PAUSE",
          status: "AWAITING_ACTION",
          timeoutAction: "ROLLBACK",
        });
      }
      return true;
    }
    return details.some((d) => d.status === "AWAITING_ACTION");
  }

  private rolledBack(sd: ServiceDeployment): void {
    sd.status = "ROLLBACK_SUCCESSFUL";
    sd.finishedAt = this.world.now;
    this.greenWeight.set(PROD_RULE, 0);
    this.greenWeight.set(TEST_RULE, 0);
  }

  private rule(arn: string) {
    const green = this.greenWeight.get(arn) ?? 0;
    const host = arn === TEST_RULE ? "qa.localhost" : "localhost";
    return {
      RuleArn: arn,
      IsDefault: false,
      Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: [host] } }],
      Actions: [
        {
          Type: "forward" as const,
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: TG, Weight: 100 - green },
              { TargetGroupArn: TG_GREEN, Weight: green },
            ],
          },
        },
      ],
    };
  }

  private wire(): void {
    const w = this.world;
    w.ecs.on(DescribeServiceDeploymentsCommand).callsFake((input) => {
      const found = (input.serviceDeploymentArns ?? [])
        .map((arn: string) => this.deployments.get(arn))
        .filter(Boolean) as ServiceDeployment[];
      for (const sd of found) this.advance(sd);
      return { serviceDeployments: structuredClone(found) };
    });
    w.ecs.on(ListServiceDeploymentsCommand).callsFake((input) => ({
      serviceDeployments: [...this.deployments.values()]
        .filter((sd) => !input.status || input.status.includes(sd.status!))
        .reverse()
        .map((sd) => ({
          serviceDeploymentArn: sd.serviceDeploymentArn,
          status: sd.status,
          createdAt: sd.createdAt,
          startedAt: sd.startedAt,
          targetServiceRevisionArn: sd.targetServiceRevision?.arn,
        })),
    }));
    w.ecs.on(DescribeServiceRevisionsCommand).callsFake((input) => ({
      serviceRevisions: (input.serviceRevisionArns ?? []).map((arn: string) => ({
        serviceRevisionArn: arn,
        taskDefinition: this.revisions.get(arn),
      })),
    }));
    w.ecs.on(ContinueServiceDeploymentCommand).callsFake((input) => {
      this.continued.push(input);
      const sd = this.deployments.get(input.serviceDeploymentArn!)!;
      const hook = sd.lifecycleHookDetails!.find((h) => h.hookId === input.hookId)!;
      hook.status = "SUCCEEDED";
      if (input.action === "ROLLBACK") {
        sd.status = "ROLLBACK_IN_PROGRESS";
        sd.statusReason =
          "Service deployment rolled back because of a ContinueServiceDeployment ROLLBACK request.";
      }
      return { serviceDeploymentArn: input.serviceDeploymentArn };
    });
    w.ecs.on(StopServiceDeploymentCommand).callsFake((input) => {
      const sd = this.deployments.get(input.serviceDeploymentArn!)!;
      sd.status = "ROLLBACK_REQUESTED";
      sd.statusReason = "Service deployment rolled back because of a StopServiceDeployment request.";
      return { serviceDeploymentArn: input.serviceDeploymentArn };
    });
    w.elbv2.on(DescribeRulesCommand).callsFake((input) => ({
      Rules: (input.RuleArns ?? []).map((arn: string) => this.rule(arn)),
    }));
    w.elbv2.on(DescribeListenersCommand).callsFake((input) => ({
      Listeners: (input.ListenerArns ?? []).map((arn: string) =>
        arn === TEST_LISTENER
          ? {
              ListenerArn: arn,
              LoadBalancerArn: LB,
              Protocol: this.testListener.protocol,
              Port: this.testListener.port,
            }
          : { ListenerArn: arn, LoadBalancerArn: LB, Protocol: "HTTPS", Port: 443 },
      ),
    }));
    w.elbv2.on(DescribeLoadBalancersCommand).callsFake(() => ({
      LoadBalancers: [{ LoadBalancerArn: LB, DNSName: this.testListener.dnsName }],
    }));
  }
}

function s0(state: ServiceState): string {
  return state.service.taskDefinition!;
}

/** The standard world with api-qa as a BLUE_GREEN service (bake `bakeMinutes`), its blue/green wiring in place. */
export function blueGreenWorld(config: Partial<DeploymentConfiguration> = {}) {
  const std = standardWorld();
  const s = std.service;
  s.service.loadBalancers = [
    {
      targetGroupArn: TG,
      containerName: "api",
      containerPort: 3000,
      advancedConfiguration: {
        alternateTargetGroupArn: TG_GREEN,
        productionListenerRule: PROD_RULE,
        testListenerRule: TEST_RULE,
        roleArn: ROLE,
      },
    },
  ];
  s.service.deploymentConfiguration = {
    ...s.service.deploymentConfiguration,
    strategy: "BLUE_GREEN",
    bakeTimeInMinutes: 2,
    ...config,
  };
  const shift = new ShiftFake(std.world, s);
  return { ...std, shift };
}
