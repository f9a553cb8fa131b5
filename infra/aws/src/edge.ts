import {
  APP_NAMES,
  defaultEnvironment,
  ENVIRONMENT_NAMES,
  type PlatformSpec,
  type RouteRule,
  routeRules,
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

  constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:Edge", name, {}, opts);
    const { spec } = args;
    const securityGroup = this.securityGroup(name, args.vpcId, spec.cluster.ephemeralPorts);
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
    this.createRules(name, https, routeRules(spec), targetGroups);

    this.securityGroupId = securityGroup.id;
    this.loadBalancerArn = alb.arn;
    this.loadBalancerArnSuffix = alb.arnSuffix;
    this.dnsName = alb.dnsName;
    this.zoneId = alb.zoneId;
    this.httpsListenerArn = https.arn;
    this.targetGroups = Object.fromEntries(
      Object.entries(targetGroups).map(([key, tg]) => [key, { arn: tg.arn, arnSuffix: tg.arnSuffix }]),
    );
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
    taskPorts: PlatformSpec["cluster"]["ephemeralPorts"],
  ): aws.ec2.SecurityGroup {
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
        description: "The platform ALB: 80 and 443 from the internet only",
        ingress: [web(80), web(443)],
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
        const key = serviceName(app, env);
        groups[key] = new aws.lb.TargetGroup(
          key,
          targetGroupArgs(key, spec.environments[env].services[app], vpcId),
          { parent: this },
        );
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

  private createRules(
    name: string,
    listener: aws.lb.Listener,
    rules: RouteRule[],
    targetGroups: Record<string, aws.lb.TargetGroup>,
  ): void {
    for (const rule of rules) {
      const target = targetGroupFor(targetGroups, serviceName(rule.app, rule.env));
      new aws.lb.ListenerRule(
        `${name}-rule-${rule.priority}`,
        {
          listenerArn: listener.arn,
          priority: rule.priority,
          conditions: ruleConditions(rule),
          actions: [{ type: "forward", targetGroupArn: target.arn }],
        },
        { parent: this },
      );
    }
  }
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
