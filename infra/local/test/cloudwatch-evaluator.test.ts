import { describe, expect, it } from "vitest";
import { AlarmEvaluator, type EvaluatorClock } from "../src/runtime/cloudwatch/alarm-evaluator.js";
import {
  CloudWatchModel,
  type CloudWatchState,
  emptyCloudWatchState,
} from "../src/services/cloudwatch/model.js";

// The evaluation timer on a model with a test clock: due alarms evaluated, a change committed
// before its transition is handed on, nothing committed when nothing changed.

const START = Date.UTC(2026, 1, 12, 10, 0, 0);
const SCOPE = { region: "us-east-1", accountId: "000000000000" };

function setup() {
  let now = START;
  let ticks: (() => void) | undefined;
  const clock: EvaluatorClock = {
    now: () => now,
    every: (_ms, tick) => {
      ticks = tick;
      return () => {
        ticks = undefined;
      };
    },
  };
  const durable = {
    state: emptyCloudWatchState(),
    commits: 0,
    commit() {
      this.commits += 1;
    },
  };
  const model = new CloudWatchModel(durable.state as CloudWatchState, undefined, () => now);
  const seen: string[] = [];
  const evaluator = new AlarmEvaluator(model, durable, {
    clock,
    onTransition: (name, t) => seen.push(`${name}:${t.to}:${durable.commits}`),
  });
  return {
    model,
    durable,
    evaluator,
    seen,
    advance: (ms: number) => {
      now += ms;
      ticks?.();
    },
  };
}

describe("alarm evaluator", () => {
  it("evaluates due alarms, commits the change, then hands on the transition", () => {
    const { model, durable, evaluator, seen, advance } = setup();
    model.putMetricAlarm(
      {
        AlarmName: "errors",
        Namespace: "App",
        MetricName: "Errors",
        Statistic: "Sum",
        Period: 10,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        AlarmActions: ["arn:aws:sns:us-east-1:000000000000:ops"],
      },
      SCOPE,
    );
    evaluator.start();
    model.putMetricData("App", [
      { MetricName: "Errors", Value: 3, Timestamp: new Date(START), StorageResolution: 1 },
    ]);
    for (let s = 0; s < 25; s++) advance(1000);
    expect(model.state.alarms.errors?.stateValue).toBe("ALARM");
    expect(seen[0]).toMatch(/^errors:ALARM:[1-9]/);
    const commits = durable.commits;
    evaluator.stop();
    advance(60_000);
    expect(durable.commits).toBe(commits);
  });

  it("evaluates an alarm once a period, not every tick", () => {
    const { model, evaluator } = setup();
    const evaluated: string[] = [];
    const original = model.evaluateAlarm.bind(model);
    model.evaluateAlarm = (name) => {
      evaluated.push(name);
      return original(name);
    };
    model.putMetricAlarm(
      {
        AlarmName: "slow",
        Namespace: "App",
        MetricName: "M",
        Statistic: "Average",
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: "GreaterThanThreshold",
      },
      SCOPE,
    );
    evaluator.tick();
    evaluator.tick();
    expect(evaluated).toEqual(["slow"]);
  });
});
