import {
  ALTERNATE_TARGET_GROUP_SUFFIX,
  APP_NAMES,
  alternateTargetGroupName,
  defaultEnvironment,
  ENVIRONMENT_NAMES,
  type PlatformSpec,
  productionRules,
  type RouteRule,
  serviceDeployment,
  shiftsTraffic,
  testRules,
} from "@platform/env";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceName } from "./naming.js";
import { targetGroupArgs } from "./target-group.js";

/** The TLS policy of the HTTPS listener: TLS 1.3 and 1.2 only. */
export const HTTPS_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

const ANYWHERE_V4 = "0.0.0.0/0";
const ANYWHERE_V6 = "::/0";

export interface EdgeArgs {
  spec: PlatformSpec;
  vpcId: pulumi.Input<string>;
  publicSubnetIds: pulumi.Input<string[]>;
}

export interface TargetGroupRef {
  arn: pulumi.Output<string>;
  arnSuffix: pulumi.Output<string>;
}

/** The two rules ECS moves a traffic-shifting service's weights on, by service name. */
export interface ServiceRuleRefs {
  production: pulumi.Output<string>;
  test: pulumi.Output<string>;
}

/**
 * The one ALB both environments share: HTTP redirects to HTTPS, HTTPS forwards by host and path to the
 * target group of each service and environment (the routing contract of env/src/names.ts), and everything
 * no rule names goes to the default environment's API.
 */
export class Edge extends pulumi.ComponentResource {
  readonly securityGroupId: pulumi.Output<string>;
  readonly loadBalancerArn: pulumi.Output<string>;
  readonly loadBalancerArnSuffix: pulumi.Output<string>;
  readonly dnsName: pulumi.Output<string>;
  readonly zoneId: pulumi.Output<string>;
  readonly httpsListenerArn: pulumi.Output<string>;
  /** By service name: `api-qa`, `media-server-prod`, ... */
  readonly targetGroups: Record<string, TargetGroupRef>;
  /** The second group of each traffic-shifting service, by its name: `api-qa-green`, ... */
  readonly alternateTargetGroups: Record<string, TargetGroupRef>;
  /** By service name, for the services whose strategy shifts traffic. */
  readonly listenerRules: Record<string, ServiceRuleRefs>;
  readonly listenerArns: pulumi.Output<string>[];

  constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:Edge", name, {}, opts);
    const { spec } = args;
    const securityGroup = this.securityGroup(name, args.vpcId, spec);
    const alb = new aws.lb.LoadBalancer(
      name,
      {
        loadBalancerType: "application",
        internal: false,
        securityGroups: [securityGroup.id],
        subnets: args.publicSubnetIds,
        dropInvalidHeaderFields: true,
        // WebSocket sessions (/kurento, the API's event stream) ping well within this.
        idleTimeout: 120,
      },
      { parent: this },
    );
    const targetGroups = this.createTargetGroups(spec, args.vpcId);
    this.redirectHttpToHttps(name, alb);
    const https = this.httpsListener(name, spec, alb, targetGroups);
    const test = this.testListener(name, spec, alb);
    const production = this.createRules(name, https, productionRules(spec), targetGroups);
    const shifting = this.createRules(`${name}-test`, test, testRules(spec), targetGroups);

    this.securityGroupId = securityGroup.id;
    this.loadBalancerArn = alb.arn;
    this.loadBalancerArnSuffix = alb.arnSuffix;
    this.dnsName = alb.dnsName;
    this.zoneId = alb.zoneId;
    this.httpsListenerArn = https.arn;
    this.listenerArns = [https.arn, test.arn];
    this.listenerRules = Object.fromEntries(
      Object.entries(shifting).map(([key, rule]) => [
        key,
        { production: (production[key] as aws.lb.ListenerRule).arn, test: rule.arn },
      ]),
    );
    const refs = (alternates: boolean) =>
      Object.fromEntries(
        Object.entries(targetGroups)
          .filter(([key]) => key.endsWith(ALTERNATE_TARGET_GROUP_SUFFIX) === alternates)
          .map(([key, tg]) => [key, { arn: tg.arn, arnSuffix: tg.arnSuffix }]),
      );
    this.targetGroups = refs(false);
    this.alternateTargetGroups = refs(true);
    this.registerOutputs({
      securityGroupId: this.securityGroupId,
      loadBalancerArn: this.loadBalancerArn,
      dnsName: this.dnsName,
      httpsListenerArn: this.httpsListenerArn,
    });
  }

  private securityGroup(
    name: string,
    vpcId: pulumi.Input<string>,
    spec: PlatformSpec,
  ): aws.ec2.SecurityGroup {
    const taskPorts = spec.cluster.dynamicHostPorts;
    const web = (port: number) => ({
      protocol: "tcp",
      fromPort: port,
      toPort: port,
      cidrBlocks: [ANYWHERE_V4],
      ipv6CidrBlocks: [ANYWHERE_V6],
      description: `HTTP${port === 443 ? "S" : ""} from the internet`,
    });
    return new aws.ec2.SecurityGroup(
      `${name}-alb`,
      {
        vpcId,
        description: "The platform ALB: 80 and 443 from the internet, the test listener from the team",
        ingress: [
          web(80),
          web(443),
          {
            protocol: "tcp",
            fromPort: spec.testListener.port,
            toPort: spec.testListener.port,
            cidrBlocks: spec.testListener.allowedCidrs,
            description: "the test listener, from the team's networks only",
          },
        ],
        egress: [
          {
            // Targets are only ever tasks on their dynamic host ports (traffic and health checks).
            protocol: "tcp",
            fromPort: taskPorts.from,
            toPort: taskPorts.to,
            cidrBlocks: [ANYWHERE_V4],
            description: "to the tasks' dynamic host ports",
          },
        ],
      },
      { parent: this },
    );
  }

  private createTargetGroups(spec: PlatformSpec, vpcId: pulumi.Input<string>) {
    const groups: Record<string, aws.lb.TargetGroup> = {};
    for (const env of ENVIRONMENT_NAMES) {
      for (const app of APP_NAMES) {
        const service = spec.environments[env].services[app];
        const keys = [serviceName(app, env)];
        if (shiftsTraffic(serviceDeployment(spec, app, env))) keys.push(alternateTargetGroupName(app, env));
        for (const key of keys) {
          groups[key] = new aws.lb.TargetGroup(key, targetGroupArgs(key, service, vpcId), { parent: this });
        }
      }
    }
    return groups;
  }

  private redirectHttpToHttps(name: string, alb: aws.lb.LoadBalancer): aws.lb.Listener {
    return new aws.lb.Listener(
      `${name}-http`,
      {
        loadBalancerArn: alb.arn,
        port: 80,
        protocol: "HTTP",
        defaultActions: [
          { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
        ],
      },
      { parent: this },
    );
  }

  private httpsListener(
    name: string,
    spec: PlatformSpec,
    alb: aws.lb.LoadBalancer,
    targetGroups: Record<string, aws.lb.TargetGroup>,
  ): aws.lb.Listener {
    const fallback = targetGroupFor(targetGroups, serviceName("api", defaultEnvironment(spec)));
    return new aws.lb.Listener(
      `${name}-https`,
      {
        loadBalancerArn: alb.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: HTTPS_SSL_POLICY,
        certificateArn: spec.certificateArn,
        defaultActions: [{ type: "forward", targetGroupArn: fallback.arn }],
      },
      { parent: this },
    );
  }

  /**
   * Where ECS sends test traffic to the new revision before any user sees it. Nothing is served here
   * unless a rule names it.
   */
  private testListener(name: string, spec: PlatformSpec, alb: aws.lb.LoadBalancer): aws.lb.Listener {
    return new aws.lb.Listener(
      `${name}-test`,
      {
        loadBalancerArn: alb.arn,
        port: spec.testListener.port,
        protocol: "HTTPS",
        sslPolicy: HTTPS_SSL_POLICY,
        certificateArn: spec.certificateArn,
        defaultActions: [
          { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404" } },
        ],
      },
      { parent: this },
    );
  }

  /** The rules, by the service each forwards to. */
  private createRules(
    name: string,
    listener: aws.lb.Listener,
    rules: RouteRule[],
    targetGroups: Record<string, aws.lb.TargetGroup>,
  ): Record<string, aws.lb.ListenerRule> {
    const created: Record<string, aws.lb.ListenerRule> = {};
    for (const rule of rules) {
      const key = serviceName(rule.app, rule.env);
      const alternate = targetGroups[alternateTargetGroupName(rule.app, rule.env)];
      created[key] = new aws.lb.ListenerRule(
        `${name}-rule-${rule.priority}`,
        {
          listenerArn: listener.arn,
          priority: rule.priority,
          conditions: ruleConditions(rule),
          actions: [forwardAction(targetGroupFor(targetGroups, key), alternate)],
        },
        // ECS owns a traffic-shifting rule's weights from its first deployment on: `pulumi up` must not
        // move traffic back mid-deployment, nor to the group that is no longer live.
        { parent: this, ignoreChanges: alternate ? ["actions"] : [] },
      );
    }
    return created;
  }
}

/** ECS moves weights between the two groups; a rolling service's rule forwards to its one group. */
function forwardAction(
  live: aws.lb.TargetGroup,
  alternate: aws.lb.TargetGroup | undefined,
): aws.types.input.lb.ListenerRuleAction {
  if (!alternate) return { type: "forward", targetGroupArn: live.arn };
  return {
    type: "forward",
    forward: {
      targetGroups: [
        { arn: live.arn, weight: 100 },
        { arn: alternate.arn, weight: 0 },
      ],
    },
  };
}

function ruleConditions(rule: RouteRule): aws.types.input.lb.ListenerRuleCondition[] {
  const conditions: aws.types.input.lb.ListenerRuleCondition[] = [];
  if (rule.hostHeader) conditions.push({ hostHeader: { values: [rule.hostHeader] } });
  if (rule.pathPatterns) conditions.push({ pathPattern: { values: [...rule.pathPatterns] } });
  return conditions;
}

function targetGroupFor(groups: Record<string, aws.lb.TargetGroup>, key: string): aws.lb.TargetGroup {
  const group = groups[key];
  if (!group) throw new Error(`no target group ${key}: the route rules name a service the spec lacks`);
  return group;
}
