import type { Durable, ScalableResources } from "../../contracts.js";
import type {
  AutoScalingModel,
  AutoScalingState,
  PolicyRecord,
} from "../../services/application-autoscaling/model.js";
import type { AlarmRecord } from "../../services/cloudwatch/alarm-record.js";
import { type EvaluatorClock, EverySecond } from "../ticking.js";

// The policies' side of their alarms: CloudWatch invokes a scaling policy when its alarm goes into
// ALARM and again every period while it stays there, with the datapoint that breached. Here the
// runner looks at the policies' alarms every second and does the same: the model decides, the
// resource's owner (ECS) sets the capacity, the activity is recorded and committed.

export interface ScalingRunnerOptions {
  clock?: EvaluatorClock;
  log?: (message: string) => void;
}

export class ScalingRunner extends EverySecond {
  /** When each alarm in ALARM last invoked its policy. */
  private readonly invoked = new Map<string, number>();

  constructor(
    private readonly model: AutoScalingModel,
    private readonly durable: Durable<AutoScalingState>,
    private readonly alarms: {
      readonly state: { alarms: Record<string, AlarmRecord> };
      newestDatapoint(name: string): number | undefined;
    },
    private readonly resources: ScalableResources,
    private readonly options: ScalingRunnerOptions = {},
  ) {
    super(options.clock, "application-autoscaling: scaling failed", options.log);
  }

  tick(): void {
    const now = this.clock.now();
    const breaching = (name: string) => {
      const alarm = this.alarms.state.alarms[name];
      return alarm?.stateValue === "ALARM" ? this.currentValue(alarm) : undefined;
    };
    const seen = new Set<string>();
    for (const policy of Object.values(this.model.state.policies)) {
      for (const { name } of policy.alarms) {
        const alarm = this.alarms.state.alarms[name];
        if (alarm?.stateValue !== "ALARM") continue;
        seen.add(name);
        const last = this.invoked.get(name);
        if (last !== undefined && now - last < alarm.config.period * 1000) continue;
        this.invoked.set(name, now);
        this.invoke(policy, alarm, breaching);
      }
    }
    for (const name of this.invoked.keys()) if (!seen.has(name)) this.invoked.delete(name);
  }

  /**
   * What the policy acts on: the alarm's newest datapoint, as CloudWatch hands a policy the current
   * one each period the alarm stays in ALARM; the transition's when the metric has none now.
   */
  private currentValue(alarm: AlarmRecord): number | undefined {
    return this.alarms.newestDatapoint(alarm.config.alarmName) ?? breachingValue(alarm);
  }

  private invoke(
    policy: PolicyRecord,
    alarm: AlarmRecord,
    breaching: (name: string) => number | undefined,
  ): void {
    const metric = this.currentValue(alarm);
    const resource = this.resources.get(policy.scalableDimension);
    const current = resource?.capacity(policy.resourceId);
    if (metric === undefined || !resource || current === undefined) return;
    const decision = this.model.decide(policy.arn, alarm.config.alarmName, metric, current, breaching);
    if (!decision) return;
    let error: string | undefined;
    try {
      resource.setCapacity(policy.resourceId, decision.to);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
      (this.options.log ?? console.error)(`application-autoscaling: ${policy.resourceId}: ${error}`);
    }
    this.model.recordScaling(decision, error);
    this.durable.commit();
  }
}

/** The newest real datapoint of the alarm's last transition (its StateReasonData). */
export function breachingValue(alarm: AlarmRecord): number | undefined {
  if (!alarm.stateReasonData) return undefined;
  try {
    const data = JSON.parse(alarm.stateReasonData) as { recentDatapoints?: (number | null)[] };
    const values = (data.recentDatapoints ?? []).filter((v): v is number => typeof v === "number");
    return values.at(-1);
  } catch {
    return undefined;
  }
}
