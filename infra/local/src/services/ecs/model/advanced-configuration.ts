import { AwsError, type ListenerRules, type ListenerRuleView } from "../../../contracts.js";
import { shiftsTraffic } from "./strategy-input.js";
import type { AdvancedConfiguration, DeploymentStrategy, LoadBalancerRef } from "./types.js";
import { invalid } from "./validation.js";

// A load balancer's advancedConfiguration: the second target group and the listener rules ECS
// shifts traffic on. Checked against ELBv2 before anything is applied, because a mistake here
// (a rule that forwards elsewhere, a test rule on the production listener) only shows mid-deployment,
// with users on the wrong version.

export interface AdvancedConfigurationRequest {
  alternateTargetGroupArn?: string | undefined;
  productionListenerRule?: string | undefined;
  testListenerRule?: string | undefined;
  roleArn?: string | undefined;
}

export function advancedConfigurationOf(
  request: AdvancedConfigurationRequest,
  where: string,
): AdvancedConfiguration {
  const { alternateTargetGroupArn, productionListenerRule, testListenerRule, roleArn } = request;
  if (!alternateTargetGroupArn) {
    throw invalid(
      testListenerRule
        ? `${where}.advancedConfiguration has a testListenerRule but no alternateTargetGroupArn: ECS moves test traffic to the alternate target group, so name it.`
        : `${where}.advancedConfiguration.alternateTargetGroupArn is required: the target group green's tasks start in.`,
    );
  }
  if (!productionListenerRule) {
    throw invalid(
      `${where}.advancedConfiguration.productionListenerRule is required: the listener rule whose weights ECS moves to green.`,
    );
  }
  if (!roleArn) {
    throw invalid(
      `${where}.advancedConfiguration.roleArn is required: the infrastructure role ECS uses to modify the listener rules.`,
    );
  }
  return {
    alternateTargetGroupArn,
    productionListenerRule,
    ...(testListenerRule ? { testListenerRule } : {}),
    roleArn,
  };
}

/** The strategy's needs against the load balancers and the rules they name. */
export function checkTrafficShift(
  strategy: DeploymentStrategy | undefined,
  loadBalancers: LoadBalancerRef[],
  rules: ListenerRules,
  targetGroupExists: (arn: string) => boolean,
): void {
  loadBalancers.forEach((lb, i) => {
    const where = `loadBalancers[${i}]`;
    const advanced = lb.advancedConfiguration;
    if (!advanced) {
      if (shiftsTraffic(strategy)) {
        throw invalid(
          `strategy ${strategy} shifts traffic between two target groups: ${where} needs advancedConfiguration with alternateTargetGroupArn, productionListenerRule and roleArn (and testListenerRule for test traffic).`,
        );
      }
      return;
    }
    checkAdvanced(lb, advanced, where, rules, targetGroupExists);
  });
}

function checkAdvanced(
  lb: LoadBalancerRef,
  advanced: AdvancedConfiguration,
  where: string,
  rules: ListenerRules,
  targetGroupExists: (arn: string) => boolean,
): void {
  const green = advanced.alternateTargetGroupArn;
  if (green === lb.targetGroupArn) {
    throw invalid(
      `${where}.advancedConfiguration.alternateTargetGroupArn is the load balancer's own targetGroupArn: blue and green need two different target groups.`,
    );
  }
  if (!targetGroupExists(green)) throw invalid(`Unable to find the target group ${green}.`);
  const pair = [lb.targetGroupArn, green];
  const production = ruleOf(
    rules,
    advanced.productionListenerRule,
    `${where}.advancedConfiguration.productionListenerRule`,
  );
  checkForwardsToPair(production, pair, "productionListenerRule");
  if (!advanced.testListenerRule) return;
  if (advanced.testListenerRule === advanced.productionListenerRule) {
    throw invalid(
      `${where}.advancedConfiguration: testListenerRule and productionListenerRule are the same rule; test traffic needs a rule of its own on the test listener.`,
    );
  }
  const test = ruleOf(rules, advanced.testListenerRule, `${where}.advancedConfiguration.testListenerRule`);
  if (test.listenerArn === production.listenerArn) {
    throw invalid(
      `${where}.advancedConfiguration: testListenerRule is on the production rule's listener (port ${production.port}); put it on the test listener, or users reach green before it is tested.`,
    );
  }
  checkForwardsToPair(test, pair, "testListenerRule");
}

function ruleOf(rules: ListenerRules, arn: string, what: string): ListenerRuleView {
  try {
    return rules.describe(arn);
  } catch (error) {
    if (error instanceof AwsError) throw invalid(`${what}: unable to find the listener rule ${arn}.`);
    throw error;
  }
}

/** ECS only moves the weights of one forward action that names exactly the service's two groups. */
function checkForwardsToPair(rule: ListenerRuleView, pair: string[], what: string): void {
  const forward = rule.actions.filter((a) => a.type === "forward");
  const others = rule.actions.filter((a) => a.type !== "forward").map((a) => a.type);
  if (forward.length !== 1 || others.length > 0) {
    throw invalid(
      `${what} ${rule.ruleArn} must have exactly one action, a forward action to the target groups ${pair.join(" and ")}; it has ${rule.actions.map((a) => a.type).join(", ") || "none"}.`,
    );
  }
  const named = (forward[0]?.targetGroups ?? []).map((t) => t.arn).sort();
  if (JSON.stringify(named) !== JSON.stringify([...pair].sort())) {
    throw invalid(
      `${what} ${rule.ruleArn} forwards to ${named.join(", ")}; it must forward (weighted) to exactly ${pair.join(" and ")}, the target group and its alternate.`,
    );
  }
}
