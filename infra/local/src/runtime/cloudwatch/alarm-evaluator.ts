import type { Durable } from "../../contracts.js";
import type { Transition } from "../../services/cloudwatch/alarm-record.js";
import type { CloudWatchModel, CloudWatchState } from "../../services/cloudwatch/model.js";
import { type EvaluatorClock, EverySecond } from "../ticking.js";

// The alarms' clock: every alarm is evaluated once a period (at most a minute apart, as CloudWatch
// evaluates a long-period alarm every minute), the model decides, and a change is committed before
// anyone hears of it. Actions are handed to `onTransition`; delivering them (SNS) comes later.

export type { EvaluatorClock } from "../ticking.js";
export { realClock } from "../ticking.js";

export interface AlarmEvaluatorOptions {
  clock?: EvaluatorClock;
  onTransition?: (alarmName: string, transition: Transition) => void;
  log?: (message: string) => void;
}

export class AlarmEvaluator extends EverySecond {
  private readonly lastEvaluated = new Map<string, number>();

  constructor(
    private readonly model: CloudWatchModel,
    private readonly durable: Durable<CloudWatchState>,
    private readonly options: AlarmEvaluatorOptions = {},
  ) {
    super(options.clock, "cloudwatch: alarm evaluation failed", options.log);
  }

  /** Evaluates the alarms that are due; returns the transitions, already committed. */
  tick(): { alarmName: string; transition: Transition }[] {
    const now = this.clock.now();
    const transitions: { alarmName: string; transition: Transition }[] = [];
    let changed = false;
    for (const [name, alarm] of Object.entries(this.model.state.alarms)) {
      const every = Math.min(alarm.config.period, 60) * 1000;
      if (now - (this.lastEvaluated.get(name) ?? Number.NEGATIVE_INFINITY) < every) continue;
      this.lastEvaluated.set(name, now);
      const result = this.model.evaluateAlarm(name);
      changed ||= result.changed;
      if (result.transition) transitions.push({ alarmName: name, transition: result.transition });
    }
    for (const name of this.lastEvaluated.keys()) {
      if (!this.model.state.alarms[name]) this.lastEvaluated.delete(name);
    }
    if (changed) this.durable.commit();
    for (const { alarmName, transition } of transitions) this.options.onTransition?.(alarmName, transition);
    return transitions;
  }
}
