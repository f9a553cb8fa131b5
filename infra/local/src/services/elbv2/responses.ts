import type { Durable, OperationHandler, TargetHealthView } from "../../contracts.js";
import { mutating } from "../../state/durable.js";
import { paginate } from "../../wire/paging.js";
import { optList, optString, optStringList, reqString } from "../../wire/params.js";
import {
  attributeMap,
  createListenerInput,
  createLoadBalancerInput,
  createRuleInput,
  createTargetGroupInput,
  healthCheckInput,
  invalidToken,
  modifyListenerInput,
  modifyRuleInput,
  pageRequest,
  requiredStrings,
  rulePriorities,
  tagList,
  targets,
} from "./input.js";
import type { Elbv2Model } from "./model.js";
import type { Elbv2State } from "./state.js";
import { validationError } from "./validation.js";
import {
  attributesView,
  listenerView,
  loadBalancerView,
  ruleView,
  tagDescriptionView,
  targetGroupView,
  targetHealthView,
} from "./views.js";

// ELBv2's operations: decoded form, model call, commit, API-shaped output.

/** What the load balancer knows that the model does not: the targets' health. */
export interface Elbv2DataPlane {
  health(targetGroupArn: string): TargetHealthView[];
  /** Resolves when the data plane has applied the last change (a new listener is bound). */
  settled(): Promise<void>;
}

export function elbv2Operations(
  model: Elbv2Model,
  durable: Durable<Elbv2State>,
  dataPlane: Elbv2DataPlane,
): Record<string, OperationHandler> {
  /** Mutations are on disk, and listening, before they are answered. */
  const change = (handler: OperationHandler) => mutating(durable, handler, () => dataPlane.settled());
  const tgView = (arn: string) => targetGroupView(model.targetGroup(arn), model.loadBalancerArnsOf(arn));
  const tagged = <T extends { arn: string }>(resource: T, tags: Record<string, string> | undefined): T => {
    if (tags) model.addTags([resource.arn], tags);
    return resource;
  };

  return {
    CreateLoadBalancer: change((input, ctx) => {
      const tags = tagList(input);
      const lb = tagged(model.createLoadBalancer(ctx, createLoadBalancerInput(input)), tags);
      return { LoadBalancers: [loadBalancerView(lb)] };
    }),
    DescribeLoadBalancers: (input) => {
      const lbs = model.describeLoadBalancers({
        arns: optStringList(input, "LoadBalancerArns"),
        names: optStringList(input, "Names"),
      });
      const page = paginate(lbs, pageRequest(input), invalidToken);
      return { LoadBalancers: page.items.map(loadBalancerView), NextMarker: page.next };
    },
    DeleteLoadBalancer: change((input) => {
      model.deleteLoadBalancer(reqString(input, "LoadBalancerArn"));
      return {};
    }),
    DescribeLoadBalancerAttributes: (input) => ({
      Attributes: attributesView(model.loadBalancer(reqString(input, "LoadBalancerArn")).attributes),
    }),
    ModifyLoadBalancerAttributes: change((input) => ({
      Attributes: attributesView(
        model.modifyLoadBalancerAttributes(reqString(input, "LoadBalancerArn"), attributeMap(input)),
      ),
    })),

    CreateListener: change((input) => {
      const tags = tagList(input);
      const listener = tagged(model.createListener(createListenerInput(input)), tags);
      return { Listeners: [listenerView(listener)] };
    }),
    DescribeListeners: (input) => {
      const listeners = model.describeListeners({
        loadBalancerArn: optString(input, "LoadBalancerArn"),
        listenerArns: optStringList(input, "ListenerArns"),
      });
      const page = paginate(listeners, pageRequest(input), invalidToken);
      return { Listeners: page.items.map(listenerView), NextMarker: page.next };
    },
    ModifyListener: change((input) => ({
      Listeners: [listenerView(model.modifyListener(modifyListenerInput(input)))],
    })),
    DeleteListener: change((input) => {
      model.deleteListener(reqString(input, "ListenerArn"));
      return {};
    }),

    CreateRule: change((input) => {
      const tags = tagList(input);
      const rule = tagged(model.createRule(createRuleInput(input)), tags);
      return { Rules: [ruleView(rule)] };
    }),
    DescribeRules: (input) => {
      const rules = model.describeRules({
        listenerArn: optString(input, "ListenerArn"),
        ruleArns: optStringList(input, "RuleArns"),
      });
      const page = paginate(rules, pageRequest(input), invalidToken);
      return { Rules: page.items.map(ruleView), NextMarker: page.next };
    },
    ModifyRule: change((input) => ({ Rules: [ruleView(model.modifyRule(modifyRuleInput(input)))] })),
    SetRulePriorities: change((input) => ({
      Rules: model.setRulePriorities(rulePriorities(input)).map(ruleView),
    })),
    DeleteRule: change((input) => {
      model.deleteRule(reqString(input, "RuleArn"));
      return {};
    }),

    CreateTargetGroup: change((input, ctx) => {
      const request = createTargetGroupInput(input);
      const tags = tagList(input);
      const tg = tagged(model.createTargetGroup(ctx, request), tags);
      return { TargetGroups: [tgView(tg.arn)] };
    }),
    DescribeTargetGroups: (input) => {
      const groups = model.describeTargetGroups({
        loadBalancerArn: optString(input, "LoadBalancerArn"),
        arns: optStringList(input, "TargetGroupArns"),
        names: optStringList(input, "Names"),
      });
      const page = paginate(groups, pageRequest(input), invalidToken);
      return { TargetGroups: page.items.map((tg) => tgView(tg.arn)), NextMarker: page.next };
    },
    ModifyTargetGroup: change((input) => {
      const tg = model.modifyTargetGroup(reqString(input, "TargetGroupArn"), healthCheckInput(input));
      return { TargetGroups: [tgView(tg.arn)] };
    }),
    DeleteTargetGroup: change((input) => {
      model.deleteTargetGroup(reqString(input, "TargetGroupArn"));
      return {};
    }),
    DescribeTargetGroupAttributes: (input) => ({
      Attributes: attributesView(model.targetGroup(reqString(input, "TargetGroupArn")).attributes),
    }),
    ModifyTargetGroupAttributes: change((input) => ({
      Attributes: attributesView(
        model.modifyTargetGroupAttributes(reqString(input, "TargetGroupArn"), attributeMap(input)),
      ),
    })),

    RegisterTargets: change((input) => {
      model.registerTargets(reqString(input, "TargetGroupArn"), targets(input));
      return {};
    }),
    DeregisterTargets: change((input) => {
      model.deregisterTargets(reqString(input, "TargetGroupArn"), targets(input));
      return {};
    }),
    DescribeTargetHealth: (input) => {
      const arn = reqString(input, "TargetGroupArn");
      const group = model.targetGroup(arn);
      const wanted = optList(input, "Targets") ? targets(input) : undefined;
      const all = dataPlane.health(arn);
      const views = wanted ? wanted.map((w) => healthOf(w, all, group.port)) : all;
      return { TargetHealthDescriptions: views.map(targetHealthView) };
    },

    AddTags: change((input) => {
      const tags = tagList(input);
      if (!tags) throw validationError("Tags must be specified");
      model.addTags(requiredStrings(input, "ResourceArns"), tags);
      return {};
    }),
    RemoveTags: change((input) => {
      model.removeTags(requiredStrings(input, "ResourceArns"), requiredStrings(input, "TagKeys"));
      return {};
    }),
    DescribeTags: (input) => ({
      TagDescriptions: requiredStrings(input, "ResourceArns").map((arn) =>
        tagDescriptionView(arn, model.tagsOf(arn)),
      ),
    }),
  };
}

/** A target asked about by id (and port): its health, or `unavailable` when it is not registered. */
function healthOf(
  wanted: { id: string; port?: number | undefined },
  all: TargetHealthView[],
  defaultPort: number,
): TargetHealthView {
  return (
    all.find((h) => h.id === wanted.id && (wanted.port === undefined || h.port === wanted.port)) ?? {
      id: wanted.id,
      port: wanted.port ?? defaultPort,
      state: "unavailable",
      reason: "Target.NotRegistered",
      description: "Target is not registered to the target group",
    }
  );
}
