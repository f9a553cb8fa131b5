import {
  AwsError,
  type Durable,
  type ListenerRules,
  type ListenerRuleView,
  TWIN_TAG,
} from "../../contracts.js";
import type { Elbv2Model } from "../../services/elbv2/model.js";
import type { ActionRecord, Elbv2State } from "../../services/elbv2/state.js";

// The ListenerRules seam for ECS: the ELBv2 model's rules, so a weight ECS moves shows in
// DescribeRules and routes the load balancer's next request (it follows the model's changes).

export class LocalListenerRules implements ListenerRules {
  constructor(
    private readonly model: Elbv2Model,
    private readonly durable: Durable<Elbv2State>,
  ) {}

  describe(ruleArn: string): ListenerRuleView {
    const rule = this.model.rule(ruleArn);
    const isDefault = !("priority" in rule);
    const listener = isDefault ? rule : this.model.listener(rule.listenerArn);
    const actions = isDefault ? rule.defaultActions : rule.actions;
    return {
      ruleArn,
      listenerArn: listener.arn,
      loadBalancerArn: listener.loadBalancerArn,
      port: listener.port,
      isDefault,
      actions: actions.map(actionView),
      twins: this.twinsOf(ruleArn),
    };
  }

  setWeights(ruleArn: string, weights: { arn: string; weight: number }[]): void {
    for (const arn of [ruleArn, ...this.twinsOf(ruleArn)]) {
      const rule = this.model.rule(arn);
      const actions = "priority" in rule ? rule.actions : rule.defaultActions;
      const forward = actions.find((a) => a.type === "forward");
      if (!forward) throw new AwsError("InvalidConfigurationRequest", `Rule '${arn}' has no forward action`);
      this.model.modifyRule({
        arn,
        actions: [
          {
            type: "forward",
            targetGroups: weights.map((w) => ({ arn: w.arn, weight: w.weight })),
            ...(forward.stickiness ? { stickiness: forward.stickiness } : {}),
          },
        ],
      });
    }
    this.durable.commit();
  }

  private twinsOf(ruleArn: string): string[] {
    return Object.entries(this.model.state.tags)
      .filter(([arn, tags]) => tags[TWIN_TAG] === ruleArn && arn !== ruleArn && arn in this.model.state.rules)
      .map(([arn]) => arn);
  }
}

function actionView(action: ActionRecord): ListenerRuleView["actions"][number] {
  if (action.type !== "forward") return { type: action.type };
  return { type: "forward", targetGroups: action.targetGroups.map((t) => ({ ...t })) };
}
