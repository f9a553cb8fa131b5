import type { HealthCheckSettings } from "../../contracts.js";

// ELBv2's durable state: plain JSON, the model mutates it and responses.ts commits it.

export interface LoadBalancerRecord {
  arn: string;
  name: string;
  dnsName: string;
  createdTime: string;
  scheme: string;
  ipAddressType: string;
  subnets: string[];
  securityGroups: string[];
  attributes: Record<string, string>;
}

/** A forward action's TargetGroupStickinessConfig. */
export interface Stickiness {
  enabled: boolean;
  durationSeconds?: number | undefined;
}

export type ActionRecord =
  | {
      type: "forward";
      targetGroups: { arn: string; weight: number }[];
      /** Absent in state written before stickiness was kept: the same as disabled. */
      stickiness?: Stickiness | undefined;
    }
  | {
      type: "redirect";
      redirect: {
        protocol: string;
        port: string;
        host: string;
        path: string;
        query: string;
        statusCode: string;
      };
    }
  | {
      type: "fixed-response";
      fixedResponse: { statusCode: string; contentType: string; messageBody?: string | undefined };
    };

export interface ConditionRecord {
  field: "host-header" | "path-pattern";
  values: string[];
}

export interface ListenerRecord {
  arn: string;
  loadBalancerArn: string;
  port: number;
  protocol: "HTTP" | "HTTPS";
  certificateArns: string[];
  sslPolicy?: string | undefined;
  defaultActions: ActionRecord[];
  defaultRuleArn: string;
}

export interface RuleRecord {
  arn: string;
  listenerArn: string;
  priority: number;
  conditions: ConditionRecord[];
  actions: ActionRecord[];
}

export interface TargetRecord {
  id: string;
  port: number;
}

export interface TargetGroupRecord {
  arn: string;
  name: string;
  protocol: "HTTP" | "HTTPS";
  port: number;
  vpcId: string;
  targetType: "instance";
  healthCheck: HealthCheckSettings;
  attributes: Record<string, string>;
  targets: TargetRecord[];
}

export interface Elbv2State {
  loadBalancers: Record<string, LoadBalancerRecord>;
  listeners: Record<string, ListenerRecord>;
  rules: Record<string, RuleRecord>;
  targetGroups: Record<string, TargetGroupRecord>;
  tags: Record<string, Record<string, string>>;
}

export function emptyElbv2State(): Elbv2State {
  return { loadBalancers: {}, listeners: {}, rules: {}, targetGroups: {}, tags: {} };
}
