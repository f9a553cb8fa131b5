import type { Transition } from "./alarm-record.js";

// Who hears of an alarm's change of state, once it is committed: the alarm actions, whether the
// evaluator or SetAlarmState made it.

export type TransitionListener = (alarmName: string, transition: Transition) => void;

export class AlarmTransitions {
  private readonly listeners = new Set<TransitionListener>();

  /** Returns the way to unsubscribe. */
  subscribe(listener: TransitionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  announce(alarmName: string, transition: Transition): void {
    for (const listener of this.listeners) listener(alarmName, transition);
  }
}
