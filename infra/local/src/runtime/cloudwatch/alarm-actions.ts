import type { Durable, TopicPublisher } from "../../contracts.js";
import {
  type ActionOutcome,
  type AlarmNotification,
  actionHistoryItem,
  alarmNotification,
} from "../../services/cloudwatch/alarm-notification.js";
import type { Transition } from "../../services/cloudwatch/alarm-record.js";
import type { CloudWatchModel, CloudWatchState } from "../../services/cloudwatch/model.js";
import { commitAfter } from "../../state/durable.js";

// An alarm's actions, run once its transition is committed: each SNS topic of the new state's
// actions gets the notification through SNS's publish path, and each action leaves an Action item
// in the alarm's history, as CloudWatch's do. A topic that does not exist fails its action only.

export interface AlarmActionsOptions {
  now?: () => number;
  log?: (message: string) => void;
}

export class AlarmActions {
  constructor(
    private readonly model: CloudWatchModel,
    private readonly durable: Durable<CloudWatchState>,
    private readonly topics: TopicPublisher,
    private readonly options: AlarmActionsOptions = {},
  ) {}

  run(alarmName: string, transition: Transition): void {
    const alarm = this.model.state.alarms[alarmName];
    if (!alarm || transition.actions.length === 0) return;
    const notification = alarmNotification(alarm, transition);
    const now = (this.options.now ?? Date.now)();
    commitAfter(this.durable, () => {
      for (const action of transition.actions) {
        const outcome = this.execute(alarmName, action, notification);
        this.model.recordAction(actionHistoryItem(alarm, action, outcome, now));
      }
    });
  }

  private execute(alarmName: string, action: string, notification: AlarmNotification): ActionOutcome {
    // A scaling policy is invoked by the scaling runner (runtime/autoscaling), which watches its alarms.
    if (action.startsWith("arn:aws:autoscaling:")) return { ok: true, published: notification };
    if (!action.startsWith("arn:aws:sns:")) {
      return this.failed(alarmName, action, "The local region runs only SNS alarm actions");
    }
    try {
      this.topics.publish(action, notification);
      return { ok: true, published: notification };
    } catch (error) {
      return this.failed(alarmName, action, error instanceof Error ? error.message : String(error));
    }
  }

  private failed(alarmName: string, action: string, error: string): ActionOutcome {
    (this.options.log ?? console.error)(`cloudwatch: alarm ${alarmName}: action ${action} failed: ${error}`);
    return { ok: false, error };
  }
}
