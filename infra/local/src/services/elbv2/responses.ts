import type { Durable, OperationHandler, QueryServiceDefinition, TargetHealthView } from "../../contracts.js";
import { AwsError } from "../../contracts.js";
import { type Page, paginate } from "../../wire/paging.js";
import {
  type Input,
  isObject,
  optBool,
  optInt,
  optList,
  optObject,
  optObjectList,
  optString,
  optStringList,
  reqInt,
  reqString,
} from "../../wire/params.js";
import type { Elbv2Model } from "./model.js";
import type { Elbv2State } from "./state.js";
import { validationError } from "./validation.js";
import { attributesView, listenerView, loadBalancerView, ruleView, targetGroupView } from "./views.js";

// The ELBv2 awsQuery adapter: decoded form in, model call, commit, API-shaped output.

export interface TargetHealthSource {
  health(targetGroupArn: string): TargetHealthView[];
}

export function elbv2Service(
  model: Elbv2Model,
  durable: Durable<Elbv2State>,
  health: TargetHealthSource,
  /** Resolves when the data plane has applied the last change (a new listener is bound). */
  applied: () => Promise<void> = async () => {},
): QueryServiceDefinition {
  /** Mutations are on disk, and listening, before they are answered. */
  const mutating =
    (handler: OperationHandler): OperationHandler =>
    async (input, ctx) => {
      const out = await handler(input, ctx);
      durable.commit();
      await applied();
      return out;
    };
  const tgView = (arn: string) => targetGroupView(model.targetGroup(arn), model.loadBalancerArnsOf(arn));

  const operations: Record<string, OperationHandler> = {
    CreateLoadBalancer: mutating((input, ctx) => {
      const tags = tagList(input);
      const lb = model.createLoadBalancer(ctx, {
        name: reqString(input, "Name"),
        type: optString(input, "Type"),
        scheme: optString(input, "Scheme"),
        subnets: optStringList(input, "Subnets") ?? [],
        securityGroups: optStringList(input, "SecurityGroups") ?? [],
        ipAddressType: optString(input, "IpAddressType"),
      });
      if (tags) model.addTags([lb.arn], tags);
      return { LoadBalancers: [loadBalancerView(lb)] };
    }),
    DescribeLoadBalancers: (input) => {
      const lbs = model.describeLoadBalancers({
        arns: optStringList(input, "LoadBalancerArns"),
        names: optStringList(input, "Names"),
      });
      const page = pageOf(lbs, input);
      return { LoadBalancers: page.items.map(loadBalancerView), NextMarker: page.next };
    },
    DeleteLoadBalancer: mutating((input) => {
      model.deleteLoadBalancer(reqString(input, "LoadBalancerArn"));
      return {};
    }),
    DescribeLoadBalancerAttributes: (input) => ({
      Attributes: attributesView(model.loadBalancer(reqString(input, "LoadBalancerArn")).attributes),
    }),
    ModifyLoadBalancerAttributes: mutating((input) => ({
      Attributes: attributesView(
        model.modifyLoadBalancerAttributes(reqString(input, "LoadBalancerArn"), attributeMap(input)),
      ),
    })),

    CreateListener: mutating((input) => {
      const tags = tagList(input);
      const listener = model.createListener({
        loadBalancerArn: reqString(input, "LoadBalancerArn"),
        port: reqInt(input, "Port"),
        protocol: optString(input, "Protocol") ?? "HTTP",
        certificateArns: certificates(input),
        sslPolicy: optString(input, "SslPolicy"),
        defaultActions: requiredList(input, "DefaultActions"),
      });
      if (tags) model.addTags([listener.arn], tags);
      return { Listeners: [listenerView(listener)] };
    }),
    DescribeListeners: (input) => {
      const listeners = model.describeListeners({
        loadBalancerArn: optString(input, "LoadBalancerArn"),
        listenerArns: optStringList(input, "ListenerArns"),
      });
      const page = pageOf(listeners, input);
      return { Listeners: page.items.map(listenerView), NextMarker: page.next };
    },
    ModifyListener: mutating((input) => {
      const certs = optList(input, "Certificates") ? certificates(input) : undefined;
      const listener = model.modifyListener({
        arn: reqString(input, "ListenerArn"),
        port: optInt(input, "Port"),
        protocol: optString(input, "Protocol"),
        certificateArns: certs,
        sslPolicy: optString(input, "SslPolicy"),
        defaultActions: optList(input, "DefaultActions"),
      });
      return { Listeners: [listenerView(listener)] };
    }),
    DeleteListener: mutating((input) => {
      model.deleteListener(reqString(input, "ListenerArn"));
      return {};
    }),

    CreateRule: mutating((input) => {
      const tags = tagList(input);
      const rule = model.createRule({
        listenerArn: reqString(input, "ListenerArn"),
        priority: reqInt(input, "Priority"),
        conditions: requiredList(input, "Conditions"),
        actions: requiredList(input, "Actions"),
      });
      if (tags) model.addTags([rule.arn], tags);
      return { Rules: [ruleView(rule)] };
    }),
    DescribeRules: (input) => {
      const rules = model.describeRules({
        listenerArn: optString(input, "ListenerArn"),
        ruleArns: optStringList(input, "RuleArns"),
      });
      const page = pageOf(rules, input);
      return { Rules: page.items.map(ruleView), NextMarker: page.next };
    },
    ModifyRule: mutating((input) => ({
      Rules: [
        ruleView(
          model.modifyRule({
            arn: reqString(input, "RuleArn"),
            conditions: optList(input, "Conditions"),
            actions: optList(input, "Actions"),
          }),
        ),
      ],
    })),
    SetRulePriorities: mutating((input) => {
      const priorities = requiredList(input, "RulePriorities").map((item) => {
        if (!isObject(item)) throw validationError("RulePriorities members must be structures");
        return { arn: reqString(item, "RuleArn"), priority: reqInt(item, "Priority") };
      });
      return { Rules: model.setRulePriorities(priorities).map(ruleView) };
    }),
    DeleteRule: mutating((input) => {
      model.deleteRule(reqString(input, "RuleArn"));
      return {};
    }),

    CreateTargetGroup: mutating((input, ctx) => {
      const protocol = optString(input, "Protocol");
      const port = optInt(input, "Port");
      if (protocol === undefined || port === undefined) {
        throw validationError("A protocol and port must be specified for target groups of type 'instance'");
      }
      const tags = tagList(input);
      const tg = model.createTargetGroup(ctx, {
        name: reqString(input, "Name"),
        protocol,
        port,
        vpcId: optString(input, "VpcId"),
        targetType: optString(input, "TargetType"),
        healthCheck: healthCheckInput(input),
      });
      if (tags) model.addTags([tg.arn], tags);
      return { TargetGroups: [tgView(tg.arn)] };
    }),
    DescribeTargetGroups: (input) => {
      const groups = model.describeTargetGroups({
        loadBalancerArn: optString(input, "LoadBalancerArn"),
        arns: optStringList(input, "TargetGroupArns"),
        names: optStringList(input, "Names"),
      });
      const page = pageOf(groups, input);
      return { TargetGroups: page.items.map((tg) => tgView(tg.arn)), NextMarker: page.next };
    },
    ModifyTargetGroup: mutating((input) => {
      const tg = model.modifyTargetGroup(reqString(input, "TargetGroupArn"), healthCheckInput(input));
      return { TargetGroups: [tgView(tg.arn)] };
    }),
    DeleteTargetGroup: mutating((input) => {
      model.deleteTargetGroup(reqString(input, "TargetGroupArn"));
      return {};
    }),
    DescribeTargetGroupAttributes: (input) => ({
      Attributes: attributesView(model.targetGroup(reqString(input, "TargetGroupArn")).attributes),
    }),
    ModifyTargetGroupAttributes: mutating((input) => ({
      Attributes: attributesView(
        model.modifyTargetGroupAttributes(reqString(input, "TargetGroupArn"), attributeMap(input)),
      ),
    })),

    RegisterTargets: mutating((input) => {
      model.registerTargets(reqString(input, "TargetGroupArn"), targets(input));
      return {};
    }),
    DeregisterTargets: mutating((input) => {
      model.deregisterTargets(reqString(input, "TargetGroupArn"), targets(input));
      return {};
    }),
    DescribeTargetHealth: (input) => {
      const arn = reqString(input, "TargetGroupArn");
      model.targetGroup(arn);
      const wanted = optList(input, "Targets") ? targets(input) : undefined;
      const all = health.health(arn);
      const views = wanted
        ? wanted.map(
            (w) =>
              all.find((h) => h.id === w.id && (w.port === undefined || h.port === w.port)) ?? {
                id: w.id,
                port: w.port ?? model.targetGroup(arn).port,
                state: "unavailable" as const,
                reason: "Target.NotRegistered",
                description: "Target is not registered to the target group",
              },
          )
        : all;
      return {
        TargetHealthDescriptions: views.map((h) => ({
          Target: { Id: h.id, Port: h.port },
          HealthCheckPort: String(h.port),
          TargetHealth: { State: h.state, Reason: h.reason, Description: h.description },
        })),
      };
    },

    AddTags: mutating((input) => {
      const tags = tagList(input);
      if (!tags) throw validationError("Tags must be specified");
      model.addTags(requiredStrings(input, "ResourceArns"), tags);
      return {};
    }),
    RemoveTags: mutating((input) => {
      model.removeTags(requiredStrings(input, "ResourceArns"), requiredStrings(input, "TagKeys"));
      return {};
    }),
    DescribeTags: (input) => ({
      TagDescriptions: requiredStrings(input, "ResourceArns").map((arn) => ({
        ResourceArn: arn,
        Tags: Object.entries(model.tagsOf(arn)).map(([Key, Value]) => ({ Key, Value })),
      })),
    }),
  };

  return {
    protocol: "awsQuery",
    signingName: "elasticloadbalancing",
    version: "2015-12-01",
    xmlNamespace: "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
    operations,
  };
}

function requiredList(input: Input, name: string): unknown[] {
  const list = optList(input, name);
  if (!list) throw validationError(`${name} must be specified`);
  return list;
}

function requiredStrings(input: Input, name: string): string[] {
  const list = optStringList(input, name);
  if (!list || list.length === 0) throw validationError(`${name} must be specified`);
  return list;
}

/** `PageSize` (1-400) and `Marker` as the Describe operations take them. */
function pageOf<T>(all: T[], input: Input): Page<T> {
  const size = optInt(input, "PageSize");
  if (size !== undefined && (size < 1 || size > 400))
    throw validationError("Page size must be between 1 and 400");
  return paginate(all, size, optString(input, "Marker"));
}

function tagList(input: Input): Record<string, string> | undefined {
  const tags = optObjectList(input, "Tags");
  if (!tags) return undefined;
  const out: Record<string, string> = {};
  for (const tag of tags) {
    const key = reqString(tag, "Key");
    if (key.length < 1 || key.length > 128)
      throw validationError(`Tag key '${key}' must be 1 to 128 characters`);
    const value = optString(tag, "Value") ?? "";
    if (value.length > 256) throw validationError(`Tag value for '${key}' must be at most 256 characters`);
    out[key] = value;
  }
  return out;
}

function attributeMap(input: Input): Record<string, string> {
  const list = optObjectList(input, "Attributes");
  if (!list || list.length === 0) throw validationError("Attributes must be specified");
  return Object.fromEntries(list.map((a) => [reqString(a, "Key"), optString(a, "Value") ?? ""]));
}

function certificates(input: Input): string[] {
  return (optObjectList(input, "Certificates") ?? []).map((c) => reqString(c, "CertificateArn"));
}

function targets(input: Input): { id: string; port?: number | undefined }[] {
  const list = optObjectList(input, "Targets");
  if (!list || list.length === 0) throw validationError("Targets must be specified");
  return list.map((t) => ({ id: reqString(t, "Id"), port: optInt(t, "Port") }));
}

function healthCheckInput(input: Input) {
  const matcher = optObject(input, "Matcher");
  if (optBool(input, "HealthCheckEnabled") === false) {
    throw new AwsError(
      "ValidationError",
      "Health checks cannot be disabled for target groups of type 'instance'",
    );
  }
  const protocol = optString(input, "HealthCheckProtocol");
  if (protocol !== undefined && protocol !== "HTTP" && protocol !== "HTTPS") {
    throw validationError(`Health check protocol '${protocol}' must be 'HTTP' or 'HTTPS'`);
  }
  return {
    path: optString(input, "HealthCheckPath"),
    intervalSeconds: optInt(input, "HealthCheckIntervalSeconds"),
    timeoutSeconds: optInt(input, "HealthCheckTimeoutSeconds"),
    healthyThreshold: optInt(input, "HealthyThresholdCount"),
    unhealthyThreshold: optInt(input, "UnhealthyThresholdCount"),
    matcher: matcher ? optString(matcher, "HttpCode") : undefined,
  };
}
