import type { Durable, Target, TargetGroups, TargetGroupView, TargetHealthView } from "../../contracts.js";
import type { Elbv2Model } from "../../services/elbv2/model.js";
import type { Elbv2State } from "../../services/elbv2/state.js";
import { deregistrationDelaySeconds } from "./draining.js";
import type { TargetRegistry } from "./target-registry.js";

// The TargetGroups seam for ECS: the same model and runtime the ELBv2 API uses, so what ECS
// registers shows in DescribeTargetHealth and receives traffic.

export class LocalTargetGroups implements TargetGroups {
  constructor(
    private readonly model: Elbv2Model,
    private readonly durable: Durable<Elbv2State>,
    private readonly registry: TargetRegistry,
  ) {}

  describe(targetGroupArn: string): TargetGroupView {
    const tg = this.model.targetGroup(targetGroupArn);
    return {
      arn: tg.arn,
      name: tg.name,
      port: tg.port,
      protocol: tg.protocol,
      deregistrationDelaySeconds: deregistrationDelaySeconds(tg),
      healthCheck: { ...tg.healthCheck },
      loadBalancerArns: this.model.loadBalancerArnsOf(tg.arn),
    };
  }

  register(targetGroupArn: string, targets: Target[]): void {
    this.model.registerTargets(targetGroupArn, targets);
    this.durable.commit();
  }

  async deregister(targetGroupArn: string, targets: Target[]): Promise<void> {
    const tg = this.model.targetGroup(targetGroupArn);
    const registered = targets.filter((t) => tg.targets.some((x) => x.id === t.id && x.port === t.port));
    if (registered.length > 0) {
      this.model.deregisterTargets(targetGroupArn, registered);
      this.durable.commit();
    }
    await Promise.all(targets.map((t) => this.registry.drained(targetGroupArn, t)));
  }

  health(targetGroupArn: string): TargetHealthView[] {
    this.model.targetGroup(targetGroupArn);
    return this.registry.health(targetGroupArn);
  }

  onHealthChange(listener: (targetGroupArn: string, target: TargetHealthView) => void): () => void {
    return this.registry.subscribe(listener);
  }
}
