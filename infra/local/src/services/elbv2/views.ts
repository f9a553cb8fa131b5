import type { TargetHealthView } from "../../contracts.js";
import type {
  ActionRecord,
  ConditionRecord,
  ListenerRecord,
  LoadBalancerRecord,
  RuleRecord,
  Stickiness,
  TargetGroupRecord,
} from "./state.js";

// Model records in the shapes the ELBv2 API returns.

export function loadBalancerView(lb: LoadBalancerRecord) {
  return {
    LoadBalancerArn: lb.arn,
    DNSName: lb.dnsName,
    CanonicalHostedZoneId: "Z00LOCALREGION",
    CreatedTime: new Date(lb.createdTime),
    LoadBalancerName: lb.name,
    Scheme: lb.scheme,
    VpcId: "vpc-local",
    State: { Code: "active" },
    Type: "application",
    AvailabilityZones: lb.subnets.map((s, i) => ({
      ZoneName: `local-${String.fromCharCode(97 + (i % 26))}`,
      SubnetId: s,
    })),
    SecurityGroups: lb.securityGroups,
    IpAddressType: lb.ipAddressType,
  };
}

export function actionView(action: ActionRecord, order: number) {
  switch (action.type) {
    case "forward":
      return {
        Type: "forward",
        Order: order,
        TargetGroupArn: action.targetGroups.length === 1 ? action.targetGroups[0]!.arn : undefined,
        ForwardConfig: {
          TargetGroups: action.targetGroups.map((g) => ({ TargetGroupArn: g.arn, Weight: g.weight })),
          TargetGroupStickinessConfig: stickinessView(action.stickiness),
        },
      };
    case "redirect": {
      const r = action.redirect;
      return {
        Type: "redirect",
        Order: order,
        RedirectConfig: {
          Protocol: r.protocol,
          Port: r.port,
          Host: r.host,
          Path: r.path,
          Query: r.query,
          StatusCode: r.statusCode,
        },
      };
    }
    case "fixed-response": {
      const f = action.fixedResponse;
      return {
        Type: "fixed-response",
        Order: order,
        FixedResponseConfig: {
          StatusCode: f.statusCode,
          ContentType: f.contentType,
          MessageBody: f.messageBody,
        },
      };
    }
  }
}

function actionsView(actions: ActionRecord[]) {
  return actions.map((a, i) => actionView(a, i + 1));
}

export function listenerView(l: ListenerRecord) {
  return {
    ListenerArn: l.arn,
    LoadBalancerArn: l.loadBalancerArn,
    Port: l.port,
    Protocol: l.protocol,
    Certificates:
      l.certificateArns.length > 0 ? l.certificateArns.map((c) => ({ CertificateArn: c })) : undefined,
    SslPolicy: l.sslPolicy,
    DefaultActions: actionsView(l.defaultActions),
  };
}

function conditionView(c: ConditionRecord) {
  return c.field === "host-header"
    ? { Field: c.field, Values: c.values, HostHeaderConfig: { Values: c.values } }
    : { Field: c.field, Values: c.values, PathPatternConfig: { Values: c.values } };
}

export function ruleView(rule: RuleRecord | ListenerRecord) {
  if ("priority" in rule) {
    return {
      RuleArn: rule.arn,
      Priority: String(rule.priority),
      Conditions: rule.conditions.map(conditionView),
      Actions: actionsView(rule.actions),
      IsDefault: false,
    };
  }
  return {
    RuleArn: rule.defaultRuleArn,
    Priority: "default",
    Conditions: [],
    Actions: actionsView(rule.defaultActions),
    IsDefault: true,
  };
}

export function targetGroupView(tg: TargetGroupRecord, loadBalancerArns: string[]) {
  const hc = tg.healthCheck;
  return {
    TargetGroupArn: tg.arn,
    TargetGroupName: tg.name,
    Protocol: tg.protocol,
    Port: tg.port,
    VpcId: tg.vpcId,
    HealthCheckProtocol: tg.protocol,
    HealthCheckPort: "traffic-port",
    HealthCheckEnabled: true,
    HealthCheckIntervalSeconds: hc.intervalSeconds,
    HealthCheckTimeoutSeconds: hc.timeoutSeconds,
    HealthyThresholdCount: hc.healthyThreshold,
    UnhealthyThresholdCount: hc.unhealthyThreshold,
    HealthCheckPath: hc.path,
    Matcher: { HttpCode: hc.matcher },
    LoadBalancerArns: loadBalancerArns,
    TargetType: tg.targetType,
    ProtocolVersion: "HTTP1",
    IpAddressType: "ipv4",
  };
}

export function attributesView(attributes: Record<string, string>) {
  return Object.entries(attributes).map(([Key, Value]) => ({ Key, Value }));
}

export function targetHealthView(h: TargetHealthView) {
  return {
    Target: { Id: h.id, Port: h.port },
    HealthCheckPort: String(h.port),
    TargetHealth: { State: h.state, Reason: h.reason, Description: h.description },
  };
}

export function tagDescriptionView(arn: string, tags: Record<string, string>) {
  return { ResourceArn: arn, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
}

function stickinessView(stickiness: Stickiness | undefined) {
  if (!stickiness) return { Enabled: false };
  return { Enabled: stickiness.enabled, DurationSeconds: stickiness.durationSeconds };
}
