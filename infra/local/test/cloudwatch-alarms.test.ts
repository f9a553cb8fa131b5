import type { PutMetricAlarmInput, StateValue } from "@aws-sdk/client-cloudwatch";
import { describe, expect, it } from "vitest";
import {
  type AlarmRecord,
  decideState,
  evaluateAlarm,
  evaluationRange,
  INITIAL_REASON,
  MetricStore,
  type Point,
  putMetricAlarm,
  setActionsEnabled,
  setAlarmState,
  type TreatMissingData,
  toMetricAlarm,
} from "../src/services/cloudwatch/index.js";
import { awsError } from "./cloudwatch-fixtures.js";

// Alarm evaluation as "Using Amazon CloudWatch alarms" defines it: M out of N, the
// treatMissingData tables row by row, percentiles, each operator, state reasons as CloudWatch
// writes them, transitions and the actions they fire, history items and SetAlarmState.

const ARN = "arn:aws:cloudwatch:us-east-1:000000000000:alarm:errors";
const NOW = Date.UTC(2026, 1, 12, 10, 0, 20); // 20 s into the minute: 10:00 is not over yet
const MINUTE = 60_000;

const input = (overrides: Partial<PutMetricAlarmInput> = {}): PutMetricAlarmInput => ({
  AlarmName: "errors",
  Namespace: "App",
  MetricName: "Errors",
  Statistic: "Sum",
  Period: 60,
  EvaluationPeriods: 1,
  Threshold: 1,
  ComparisonOperator: "GreaterThanOrEqualToThreshold",
  AlarmActions: ["arn:aws:sns:us-east-1:000000000000:alarm"],
  OKActions: ["arn:aws:sns:us-east-1:000000000000:ok"],
  InsufficientDataActions: ["arn:aws:sns:us-east-1:000000000000:unknown"],
  ...overrides,
});

const alarm = (overrides: Partial<PutMetricAlarmInput> = {}, state?: StateValue): AlarmRecord => {
  const created = putMetricAlarm(input(overrides), undefined, ARN, NOW - 10 * MINUTE).alarm;
  return state ? { ...created, stateValue: state } : created;
};

/**
 * A store holding one value per period for the last complete periods before NOW, oldest first, in
 * the tables' notation: X breaching (5), 0 not breaching (0), - missing.
 */
function storeWith(datapoints: string, period = 60, now = NOW): MetricStore {
  const metrics = new MetricStore();
  const marks = datapoints.split(" ");
  const end = Math.floor(now / (period * 1000)) * period * 1000;
  marks.forEach((mark, i) => {
    if (mark === "-") return;
    const timestamp = new Date(end - (marks.length - i) * period * 1000);
    metrics.put("App", [{ MetricName: "Errors", Value: mark === "X" ? 5 : 0, Timestamp: timestamp }], now);
  });
  return metrics;
}

describe("treatMissingData: the tables of 'How alarm state is evaluated when data is missing'", () => {
  type Row = [datapoints: string, missing: string, ignore: string, breaching: string, notBreaching: string];
  const treatments: TreatMissingData[] = ["missing", "ignore", "breaching", "notBreaching"];

  function check(m: number, table: Row[]) {
    for (const [datapoints, ...expected] of table) {
      treatments.forEach((treat, i) => {
        for (const current of ["OK", "ALARM"] as const) {
          const record = alarm(
            { Period: 300, EvaluationPeriods: 3, DatapointsToAlarm: m, TreatMissingData: treat },
            current,
          );
          const want = expected[i] === "retain" ? current : expected[i];
          const got = evaluateAlarm(record, storeWith(datapoints, 300), NOW).state;
          expect({ datapoints, treat, current, state: got }).toEqual({
            datapoints,
            treat,
            current,
            state: want,
          });
        }
      });
    }
  }

  it("Datapoints to Alarm and Evaluation Periods both 3, evaluation range 5", () => {
    check(3, [
      ["0 - X - X", "OK", "OK", "OK", "OK"],
      ["0 - - - -", "OK", "OK", "OK", "OK"],
      ["- - - - -", "INSUFFICIENT_DATA", "retain", "ALARM", "OK"],
      ["0 X X - X", "ALARM", "ALARM", "ALARM", "ALARM"],
      ["- - X - -", "ALARM", "retain", "ALARM", "OK"],
    ]);
  });

  it("2 out of 3 (M out of N)", () => {
    check(2, [
      ["0 - X - X", "ALARM", "ALARM", "ALARM", "ALARM"],
      ["0 0 X 0 X", "ALARM", "ALARM", "ALARM", "ALARM"],
      ["0 - X - -", "OK", "OK", "ALARM", "OK"],
      ["- - - - 0", "OK", "OK", "ALARM", "OK"],
      ["- - - X -", "ALARM", "retain", "ALARM", "OK"],
    ]);
  });

  it("Avoiding premature transitions (3 of 3): - - X - - alarms, - - - - X and - - - X - wait", () => {
    const decide = (points: string) =>
      decideState(
        points.split(" ").map((p): Point => (p === "X" ? "breaching" : p === "0" ? "ok" : "missing")),
        3,
        3,
        "missing",
      ).state;
    // Waiting keeps the state: no good datapoint says OK either (native: INSUFFICIENT_DATA kept).
    expect(decide("- - - - X")).toBeUndefined();
    expect(decide("- - - X -")).toBeUndefined();
    expect(decide("- - - X 0")).toBe("OK");
    expect(decide("- - X - -")).toBe("ALARM");
  });

  it("the evaluation range is N + 2 periods or 90 s, the last one over for 10 s", () => {
    const range = evaluationRange(alarm({ Period: 300, EvaluationPeriods: 3 }).config, NOW);
    expect(range).toHaveLength(5);
    expect(range.at(-1)).toEqual({ start: Date.UTC(2026, 1, 12, 9, 55), end: Date.UTC(2026, 1, 12, 10, 0) });
    const seconds = evaluationRange(alarm({ Period: 10, EvaluationPeriods: 3 }).config, NOW);
    expect(seconds).toHaveLength(9);
    expect(seconds.at(-1)).toEqual({
      start: Date.UTC(2026, 1, 12, 10, 0, 0),
      end: Date.UTC(2026, 1, 12, 10, 0, 10),
    });
    expect(evaluationRange(alarm({ Period: 10 }).config, NOW + 9_999).at(-1)?.end).toBe(
      Date.UTC(2026, 1, 12, 10, 0, 10),
    );
  });
});

describe("M out of N and the comparison operators", () => {
  it("3 out of 5: breaching datapoints need not be consecutive", () => {
    const record = alarm({ EvaluationPeriods: 5, DatapointsToAlarm: 3 });
    expect(evaluateAlarm(record, storeWith("X 0 X 0 X"), NOW).state).toBe("ALARM");
    expect(evaluateAlarm(record, storeWith("X 0 X 0 0"), NOW).state).toBe("OK");
    // Only the last N real datapoints count: the oldest X falls outside.
    expect(evaluateAlarm(record, storeWith("X 0 0 X 0 X"), NOW).state).toBe("OK");
  });

  it("each operator against the threshold, at and around it", () => {
    const cases: [PutMetricAlarmInput["ComparisonOperator"], number, boolean][] = [
      ["GreaterThanOrEqualToThreshold", 1, true],
      ["GreaterThanOrEqualToThreshold", 0.5, false],
      ["GreaterThanThreshold", 1, false],
      ["GreaterThanThreshold", 1.5, true],
      ["LessThanThreshold", 1, false],
      ["LessThanThreshold", 0.5, true],
      ["LessThanOrEqualToThreshold", 1, true],
      ["LessThanOrEqualToThreshold", 1.5, false],
    ];
    for (const [ComparisonOperator, value, breaching] of cases) {
      const metrics = new MetricStore();
      metrics.put("App", [{ MetricName: "Errors", Value: value, Timestamp: new Date(NOW - MINUTE) }], NOW);
      const state = evaluateAlarm(alarm({ ComparisonOperator }), metrics, NOW).state;
      expect({ ComparisonOperator, value, state }).toEqual({
        ComparisonOperator,
        value,
        state: breaching ? "ALARM" : "OK",
      });
    }
  });

  it("the period still under way is not evaluated", () => {
    const metrics = new MetricStore();
    metrics.put("App", [{ MetricName: "Errors", Value: 5, Timestamp: new Date(NOW - 5_000) }], NOW);
    expect(evaluateAlarm(alarm(), metrics, NOW).state).toBe("INSUFFICIENT_DATA");
    expect(evaluateAlarm(alarm(), metrics, NOW + MINUTE).state).toBe("ALARM");
  });

  it("statistics, dimensions and unit select the datapoints", () => {
    const metrics = new MetricStore();
    const timestamp = new Date(NOW - MINUTE);
    metrics.put(
      "App",
      [
        {
          MetricName: "Errors",
          Value: 3,
          Timestamp: timestamp,
          Dimensions: [{ Name: "Service", Value: "api" }],
          Unit: "Count",
        },
        {
          MetricName: "Errors",
          Value: 1,
          Timestamp: timestamp,
          Dimensions: [{ Name: "Service", Value: "api" }],
          Unit: "Count",
        },
      ],
      NOW,
    );
    const dims = { Dimensions: [{ Name: "Service", Value: "api" }] };
    expect(evaluateAlarm(alarm({ ...dims, Statistic: "Average", Threshold: 2 }), metrics, NOW).state).toBe(
      "ALARM",
    );
    expect(evaluateAlarm(alarm({ ...dims, Statistic: "Minimum", Threshold: 2 }), metrics, NOW).state).toBe(
      "OK",
    );
    expect(
      evaluateAlarm(alarm({ ...dims, Statistic: "SampleCount", Threshold: 2 }), metrics, NOW).state,
    ).toBe("ALARM");
    expect(evaluateAlarm(alarm({ ...dims, Unit: "Seconds" }), metrics, NOW).state).toBe("INSUFFICIENT_DATA");
    expect(evaluateAlarm(alarm(), metrics, NOW).state).toBe("INSUFFICIENT_DATA");
  });
});

describe("percentile alarms", () => {
  function latencies(count: number, slow: number): MetricStore {
    const metrics = new MetricStore();
    const values = Array.from({ length: count }, (_, i) => (i < count - slow ? 100 : 900));
    for (let i = 0; i < values.length; i += 150) {
      metrics.put(
        "App",
        [{ MetricName: "Errors", Values: values.slice(i, i + 150), Timestamp: new Date(NOW - MINUTE) }],
        NOW,
      );
    }
    return metrics;
  }
  const p99 = { Statistic: undefined, ExtendedStatistic: "p99", Threshold: 500 };

  it("evaluates the percentile of the period", () => {
    expect(evaluateAlarm(alarm(p99), latencies(1000, 20), NOW).state).toBe("ALARM");
    expect(evaluateAlarm(alarm(p99), latencies(1000, 5), NOW).state).toBe("OK");
    expect(evaluateAlarm(alarm(p99), latencies(1000, 20), NOW).reason).toBe(
      "Threshold Crossed: 1 datapoint [900.0 (12/02/26 09:59:00)] was greater than or equal to the threshold (500.0).",
    );
  });

  it("EvaluateLowSampleCountPercentile ignore: fewer than 10/(1-p) samples keep the state", () => {
    const ignoring = alarm({ ...p99, EvaluateLowSampleCountPercentile: "ignore" }, "OK");
    expect(evaluateAlarm(ignoring, latencies(999, 20), NOW).state).toBe("OK");
    expect(evaluateAlarm(ignoring, latencies(1000, 20), NOW).state).toBe("ALARM");
    const evaluating = alarm({ ...p99, EvaluateLowSampleCountPercentile: "evaluate" }, "OK");
    expect(evaluateAlarm(evaluating, latencies(999, 20), NOW).state).toBe("ALARM");
  });
});

describe("state reasons and reason data, as CloudWatch writes them", () => {
  const oneBreach = () => storeWith("X");

  it("without DatapointsToAlarm: 'Threshold Crossed: 1 datapoint [...] was ...'", () => {
    expect(evaluateAlarm(alarm(), oneBreach(), NOW).reason).toBe(
      "Threshold Crossed: 1 datapoint [5.0 (12/02/26 09:59:00)] was greater than or equal to the threshold (1.0).",
    );
    expect(evaluateAlarm(alarm(), storeWith("0"), NOW).reason).toBe(
      "Threshold Crossed: 1 datapoint [0.0 (12/02/26 09:59:00)] was not greater than or equal to the threshold (1.0).",
    );
  });

  it("with DatapointsToAlarm: 'k out of the last N datapoints [...] (minimum M datapoints for ... transition)'", () => {
    const twoOfTwo = alarm({
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      ComparisonOperator: "GreaterThanThreshold",
    });
    expect(evaluateAlarm(twoOfTwo, storeWith("X X"), NOW).reason).toBe(
      "Threshold Crossed: 2 out of the last 2 datapoints [5.0 (12/02/26 09:59:00), 5.0 (12/02/26 09:58:00)] were greater than the threshold (1.0) (minimum 2 datapoints for OK -> ALARM transition).",
    );
    const oneOfOne = alarm({ DatapointsToAlarm: 1 }, "ALARM");
    expect(evaluateAlarm(oneOfOne, storeWith("0"), NOW).reason).toBe(
      "Threshold Crossed: 1 out of the last 1 datapoints [0.0 (12/02/26 09:59:00)] was not greater than or equal to the threshold (1.0) (minimum 1 datapoint for ALARM -> OK transition).",
    );
    const twoOfThree = alarm({ EvaluationPeriods: 3, DatapointsToAlarm: 2 }, "ALARM");
    expect(evaluateAlarm(twoOfThree, storeWith("X 0 0"), NOW).reason).toBe(
      "Threshold Crossed: 2 out of the last 3 datapoints [0.0 (12/02/26 09:59:00), 0.0 (12/02/26 09:58:00)] were not greater than or equal to the threshold (1.0) (minimum 2 datapoints for ALARM -> OK transition).",
    );
  });

  it("missing datapoints treated as breaching or not breaching", () => {
    expect(evaluateAlarm(alarm({ TreatMissingData: "breaching" }), storeWith("-"), NOW).reason).toBe(
      "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching].",
    );
    expect(evaluateAlarm(alarm({ TreatMissingData: "notBreaching" }), storeWith("-"), NOW).reason).toBe(
      "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
    );
    const two = alarm({ EvaluationPeriods: 2, TreatMissingData: "breaching" });
    expect(evaluateAlarm(two, storeWith("- - - 0"), NOW).reason).toBe(
      "Threshold Crossed: 1 datapoint [0.0 (12/02/26 09:59:00)] was not greater than or equal to the threshold (1.0) and 1 missing datapoint was treated as [Breaching].",
    );
  });

  it("insufficient data: 'Insufficient Data: 1 datapoint was unknown.'", () => {
    const record = alarm({}, "OK");
    expect(evaluateAlarm(record, storeWith("-"), NOW).reason).toBe(
      "Insufficient Data: 1 datapoint was unknown.",
    );
    expect(evaluateAlarm(alarm({ EvaluationPeriods: 3 }, "OK"), storeWith("-"), NOW).reason).toBe(
      "Insufficient Data: 3 datapoints were unknown.",
    );
  });

  it("reason data: the JSON document with queryDate, startDate, recentDatapoints and evaluatedDatapoints", () => {
    const evaluation = evaluateAlarm(
      alarm({ EvaluationPeriods: 2, DatapointsToAlarm: 2 }),
      storeWith("X X"),
      NOW,
    );
    expect(evaluation.reasonData).toBe(
      '{"version":"1.0","queryDate":"2026-02-12T10:00:20.000+0000","startDate":"2026-02-12T09:58:00.000+0000","statistic":"Sum","period":60,"recentDatapoints":[5.0,5.0],"threshold":1.0,"evaluatedDatapoints":[{"timestamp":"2026-02-12T09:59:00.000+0000","sampleCount":1.0,"value":5.0},{"timestamp":"2026-02-12T09:58:00.000+0000","sampleCount":1.0,"value":5.0}]}',
    );
    expect(
      JSON.parse(
        evaluateAlarm(alarm({ ExtendedStatistic: "p90", Statistic: undefined }, "OK"), storeWith("-"), NOW)
          .reasonData ?? "{}",
      ),
    ).toEqual({
      version: "1.0",
      queryDate: "2026-02-12T10:00:20.000+0000",
      statistic: "p90",
      period: 60,
      recentDatapoints: [],
      threshold: 1,
      evaluatedDatapoints: [{ timestamp: "2026-02-12T09:59:00.000+0000" }],
    });
  });
});

// Native alarms with 10-second periods: state, reason and reason data CloudWatch wrote for them, from
// probe captures (testdata/aws/cloudwatch/alarm_evaluation.json of radkawar/stackd). Each store holds
// the datapoints the alarm had seen by its queryDate; evaluations happen at those queryDates.
describe("native CloudWatch alarms (3 periods of 10 s, threshold 50, Average of Count)", () => {
  const at = (time: string) => Date.parse(`2026-09-14T${time}Z`);
  const stamp = (time: string) => `2026-09-14T${time}.000+0000`;
  const gap = (time: string) => ({ timestamp: stamp(time) });
  const seen = (time: string, value: number) => ({ timestamp: stamp(time), sampleCount: 1, value });

  const DENSE: [string, number][] = [
    ["05:42:25", 100],
    ["05:42:35", 0],
    ["05:42:45", 100],
  ];
  const ISOLATED: [string, number][] = [...DENSE, ["05:46:55", 100]];
  const RECOVERY: [string, number][] = [
    ["05:49:05", 0],
    ["05:49:15", 0],
    ["05:49:25", 0],
  ];
  const SPARSE: [string, number][] = [
    ...ISOLATED,
    ...RECOVERY,
    ["05:50:55", 0],
    ["05:51:15", 100],
    ["05:51:35", 100],
  ];
  const SINGLE: [string, number][] = [...SPARSE, ["05:54:15", 0]];

  function probe(data: [string, number][]): MetricStore {
    const metrics = new MetricStore();
    const datum = ([time, value]: [string, number]) => ({
      MetricName: "Signal",
      Dimensions: [{ Name: "Probe", Value: "native" }],
      Timestamp: new Date(at(time)),
      Value: value,
      Unit: "Count" as const,
      StorageResolution: 1,
    });
    metrics.put("Native/AlarmEvaluation", data.map(datum), at("06:00:00"));
    return metrics;
  }

  function nativeAlarm(m: number, treat: TreatMissingData, state: StateValue): AlarmRecord {
    const created = putMetricAlarm(
      {
        AlarmName: `${treat}${m}`,
        ActionsEnabled: false,
        Namespace: "Native/AlarmEvaluation",
        MetricName: "Signal",
        Dimensions: [{ Name: "Probe", Value: "native" }],
        Statistic: "Average",
        Unit: "Count",
        Period: 10,
        EvaluationPeriods: 3,
        DatapointsToAlarm: m,
        Threshold: 50,
        ComparisonOperator: "GreaterThanThreshold",
        TreatMissingData: treat,
      },
      undefined,
      ARN,
      at("05:40:00"),
    ).alarm;
    return { ...created, stateValue: state };
  }

  interface Expected {
    state: StateValue;
    reason: string;
    startDate?: string;
    recent: (number | null)[];
    evaluated: object[];
  }

  function expectNative(
    alarmRecord: AlarmRecord,
    data: [string, number][],
    queryDate: string,
    want: Expected,
  ) {
    const evaluation = evaluateAlarm(alarmRecord, probe(data), at(queryDate));
    expect(evaluation.state).toBe(want.state);
    expect(evaluation.reason).toBe(want.reason);
    expect(JSON.parse(evaluation.reasonData ?? "{}")).toEqual({
      version: "1.0",
      queryDate: `2026-09-14T${queryDate}+0000`,
      ...(want.startDate ? { startDate: stamp(want.startDate) } : {}),
      unit: "Count",
      statistic: "Average",
      period: 10,
      recentDatapoints: want.recent,
      threshold: 50,
      evaluatedDatapoints: want.evaluated,
    });
  }

  it("2 of 3 with every period real: the breaching pair, non-consecutive", () => {
    expectNative(nativeAlarm(2, "missing", "OK"), DENSE, "05:43:07.551", {
      state: "ALARM",
      reason:
        "Threshold Crossed: 2 out of the last 3 datapoints [100.0 (14/09/26 05:42:40), 100.0 (14/09/26 05:42:20)] were greater than the threshold (50.0) (minimum 2 datapoints for OK -> ALARM transition).",
      startDate: "05:42:20",
      recent: [100, 0, 100],
      evaluated: [seen("05:42:40", 100), seen("05:42:20", 100)],
    });
  });

  it("fewer real datapoints than N: all of them count, however old, with the latest missing periods", () => {
    // The last datapoint not yet seen: good 05:42:30 and a missing period make the 2 OK needs.
    expectNative(nativeAlarm(2, "missing", "INSUFFICIENT_DATA"), DENSE.slice(0, 2), "05:42:57.551", {
      state: "OK",
      reason:
        "Threshold Crossed: 1 out of the last 3 datapoints [0.0 (14/09/26 05:42:30)] was not greater than the threshold (50.0) (minimum 2 datapoints for ALARM -> OK transition).",
      startDate: "05:42:20",
      recent: [100, 0],
      evaluated: [seen("05:42:30", 0), gap("05:42:10")],
    });
    // 05:42:20 has left the 90 s range; 05:42:30 and 05:42:40, 100 s and 90 s old, still decide.
    expectNative(nativeAlarm(2, "missing", "ALARM"), DENSE, "05:44:17.553", {
      state: "OK",
      reason:
        "Threshold Crossed: 1 out of the last 3 datapoints [0.0 (14/09/26 05:42:30)] was not greater than the threshold (50.0) (minimum 2 datapoints for ALARM -> OK transition).",
      startDate: "05:42:30",
      recent: [0, 100],
      evaluated: [gap("05:43:50"), seen("05:42:30", 0)],
    });
  });

  it("premature alarm state: one breaching datapoint M periods before the newest missing ones", () => {
    expectNative(nativeAlarm(2, "missing", "OK"), DENSE, "05:44:27.550", {
      state: "ALARM",
      reason:
        "Threshold Crossed: 1 out of the last 3 datapoints [100.0 (14/09/26 05:42:40)] was greater than the threshold (50.0) (minimum 2 datapoints for OK -> ALARM transition).",
      startDate: "05:42:40",
      recent: [100],
      evaluated: [gap("05:44:00"), seen("05:42:40", 100)],
    });
    // 3 of 3: the breaching datapoint must be the oldest of the window; until then the state stays.
    const waiting = nativeAlarm(3, "missing", "INSUFFICIENT_DATA");
    expect(evaluateAlarm(waiting, probe(ISOLATED), at("05:47:28.775")).alarm).toBe(waiting);
    expectNative(waiting, ISOLATED, "05:47:38.775", {
      state: "ALARM",
      reason:
        "Threshold Crossed: 1 out of the last 3 datapoints [100.0 (14/09/26 05:46:50)] was greater than the threshold (50.0) (minimum 3 datapoints for OK -> ALARM transition).",
      startDate: "05:46:50",
      recent: [100],
      evaluated: [gap("05:47:10"), gap("05:47:00"), seen("05:46:50", 100)],
    });
    // Two breaching datapoints with a good one gone from the range.
    expectNative(nativeAlarm(3, "missing", "OK"), SPARSE, "05:52:48.775", {
      state: "ALARM",
      reason:
        "Threshold Crossed: 2 out of the last 3 datapoints [100.0 (14/09/26 05:51:30), 100.0 (14/09/26 05:51:10)] were greater than the threshold (50.0) (minimum 3 datapoints for OK -> ALARM transition).",
      startDate: "05:51:10",
      recent: [100, null, 100],
      evaluated: [gap("05:52:20"), seen("05:51:30", 100), seen("05:51:10", 100)],
    });
  });

  it("no real datapoint left: INSUFFICIENT_DATA, listing M missing periods", () => {
    const evaluation = evaluateAlarm(nativeAlarm(3, "missing", "ALARM"), probe(DENSE), at("05:44:38.775"));
    expect(evaluation.reason).toBe("Insufficient Data: 3 datapoints were unknown.");
    // Byte for byte as DescribeAlarms returned it.
    expect(evaluation.reasonData).toBe(
      '{"version":"1.0","queryDate":"2026-09-14T05:44:38.775+0000","unit":"Count","statistic":"Average","period":10,"recentDatapoints":[],"threshold":50.0,"evaluatedDatapoints":[{"timestamp":"2026-09-14T05:44:10.000+0000"},{"timestamp":"2026-09-14T05:44:00.000+0000"},{"timestamp":"2026-09-14T05:43:50.000+0000"}]}',
    );
    expectNative(nativeAlarm(2, "missing", "ALARM"), SPARSE, "05:53:27.553", {
      state: "INSUFFICIENT_DATA",
      reason: "Insufficient Data: 3 datapoints were unknown.",
      recent: [],
      evaluated: [gap("05:53:00"), gap("05:52:50")],
    });
  });

  it("breaching: real datapoints first, the missing periods of the window as breaching", () => {
    expectNative(nativeAlarm(3, "breaching", "OK"), SPARSE, "05:52:44.472", {
      state: "ALARM",
      reason:
        "Threshold Crossed: 2 out of the last 3 datapoints [100.0 (14/09/26 05:51:30), 100.0 (14/09/26 05:51:10)] were greater than the threshold (50.0) and 1 missing datapoint was treated as [Breaching] (minimum 3 datapoints for OK -> ALARM transition).",
      startDate: "05:51:10",
      recent: [100, null, 100],
      evaluated: [gap("05:52:20"), seen("05:51:30", 100), seen("05:51:10", 100)],
    });
    expectNative(nativeAlarm(3, "breaching", "ALARM"), SINGLE, "05:54:34.473", {
      state: "OK",
      reason:
        "Threshold Crossed: 1 out of the last 3 datapoints [0.0 (14/09/26 05:54:10)] was not greater than the threshold (50.0) and 2 missing datapoints were treated as [Breaching] (minimum 1 datapoint for ALARM -> OK transition).",
      startDate: "05:54:10",
      recent: [0],
      evaluated: [seen("05:54:10", 0)],
    });
    expectNative(nativeAlarm(3, "breaching", "OK"), SINGLE, "05:56:04.474", {
      state: "ALARM",
      reason:
        "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [Breaching].",
      recent: [],
      evaluated: [gap("05:55:40"), gap("05:55:30"), gap("05:55:20")],
    });
    // Three real datapoints in the range: breaching plays no part.
    expectNative(nativeAlarm(3, "breaching", "ALARM"), SPARSE, "05:51:54.473", {
      state: "OK",
      reason:
        "Threshold Crossed: 1 out of the last 3 datapoints [0.0 (14/09/26 05:50:50)] was not greater than the threshold (50.0) (minimum 1 datapoint for ALARM -> OK transition).",
      startDate: "05:50:50",
      recent: [0, null, 100, null, 100],
      evaluated: [seen("05:50:50", 0)],
    });
  });

  it("p90 with EvaluateLowSampleCountPercentile: 99 samples are too few, 100 enough", () => {
    const percentile = (low: "ignore" | "evaluate") =>
      putMetricAlarm(
        {
          AlarmName: `p90-${low}`,
          Namespace: "Native/Percentiles",
          MetricName: "Latency",
          ExtendedStatistic: "p90",
          Period: 10,
          EvaluationPeriods: 1,
          DatapointsToAlarm: 1,
          Threshold: 5,
          ComparisonOperator: "GreaterThanThreshold",
          TreatMissingData: "ignore",
          EvaluateLowSampleCountPercentile: low,
        },
        undefined,
        ARN,
        at("06:40:00"),
      ).alarm;
    const metrics = new MetricStore();
    const publish = (time: string, value: number, count: number) =>
      metrics.put(
        "Native/Percentiles",
        [
          {
            MetricName: "Latency",
            Timestamp: new Date(at(time)),
            Values: [value],
            Counts: [count],
            StorageResolution: 1,
          },
        ],
        at(time),
      );
    publish("06:43:01", 10, 99);
    const ignoring = percentile("ignore");
    expect(evaluateAlarm(ignoring, metrics, at("06:43:25.741")).alarm).toBe(ignoring);
    const evaluating = evaluateAlarm(percentile("evaluate"), metrics, at("06:43:25.741"));
    expect(evaluating.reason).toBe(
      "Threshold Crossed: 1 out of the last 1 datapoints [10.0 (14/09/26 06:43:00)] was greater than the threshold (5.0) (minimum 1 datapoint for OK -> ALARM transition).",
    );
    expect(evaluating.reasonData).toBe(
      '{"version":"1.0","queryDate":"2026-09-14T06:43:25.741+0000","startDate":"2026-09-14T06:43:00.000+0000","statistic":"p90","period":10,"recentDatapoints":[10.0],"threshold":5.0,"evaluatedDatapoints":[{"timestamp":"2026-09-14T06:43:00.000+0000","sampleCount":99.0,"value":10.0}]}',
    );
    publish("06:45:41", 0, 100);
    expect(evaluateAlarm(ignoring, metrics, at("06:46:04.128")).state).toBe("OK");
  });
});

describe("transitions, actions and history", () => {
  it("→ALARM fires the alarm actions, →OK the OK actions, →INSUFFICIENT_DATA the insufficient-data actions", () => {
    let record = alarm();
    expect(record.stateValue).toBe("INSUFFICIENT_DATA");
    expect(record.stateReason).toBe(INITIAL_REASON);

    const toAlarm = evaluateAlarm(record, storeWith("X"), NOW);
    expect(toAlarm.transition).toMatchObject({
      from: "INSUFFICIENT_DATA",
      to: "ALARM",
      actions: ["arn:aws:sns:us-east-1:000000000000:alarm"],
    });
    record = toAlarm.alarm;

    const toOk = evaluateAlarm(record, storeWith("0"), NOW + MINUTE);
    expect(toOk.transition).toMatchObject({
      from: "ALARM",
      to: "OK",
      actions: ["arn:aws:sns:us-east-1:000000000000:ok"],
    });
    record = toOk.alarm;

    const toUnknown = evaluateAlarm(record, new MetricStore(), NOW + 2 * MINUTE);
    expect(toUnknown.transition).toMatchObject({
      to: "INSUFFICIENT_DATA",
      actions: ["arn:aws:sns:us-east-1:000000000000:unknown"],
    });
  });

  it("a state held again is no transition: no actions, reason and timestamps unchanged", () => {
    const first = evaluateAlarm(alarm(), storeWith("X"), NOW);
    const second = evaluateAlarm(first.alarm, storeWith("X X"), NOW + MINUTE);
    expect(second.transition).toBeUndefined();
    expect(second.alarm).toBe(first.alarm);
    expect(second.reason).toBe(first.reason);
    expect(second.alarm.stateTransitionedTimestamp).toBe(NOW);
  });

  it("with actions disabled the alarm still changes state, and fires nothing", () => {
    const disabled = setActionsEnabled(alarm(), false);
    const evaluation = evaluateAlarm(disabled, storeWith("X"), NOW);
    expect(evaluation.transition).toMatchObject({ to: "ALARM", actions: [] });
    expect(toMetricAlarm(evaluation.alarm)).toMatchObject({ ActionsEnabled: false, StateValue: "ALARM" });
    const enabled = setActionsEnabled(evaluation.alarm, true);
    expect(evaluateAlarm(enabled, storeWith("0"), NOW + MINUTE).transition?.actions).toEqual([
      "arn:aws:sns:us-east-1:000000000000:ok",
    ]);
  });

  it("a transition's history item: StateUpdate, its summary and data", () => {
    const { transition } = evaluateAlarm(alarm(), storeWith("X"), NOW);
    expect(transition?.history).toMatchObject({
      AlarmName: "errors",
      AlarmType: "MetricAlarm",
      HistoryItemType: "StateUpdate",
      HistorySummary: "Alarm updated from INSUFFICIENT_DATA to ALARM",
      Timestamp: new Date(NOW),
    });
    const data = JSON.parse(transition?.history.HistoryData ?? "{}");
    expect(data).toMatchObject({
      version: "1.0",
      oldState: { stateValue: "INSUFFICIENT_DATA", stateReason: INITIAL_REASON },
      newState: {
        stateValue: "ALARM",
        stateReason: expect.stringMatching(/^Threshold Crossed/),
        stateReasonData: { period: 60 },
      },
    });
  });

  it("PutMetricAlarm: ConfigurationUpdate items; an update keeps the state and overwrites the configuration", () => {
    const created = putMetricAlarm(input(), undefined, ARN, NOW);
    expect(created.history).toMatchObject({
      HistoryItemType: "ConfigurationUpdate",
      HistorySummary: 'Alarm "errors" created',
    });
    expect(JSON.parse(created.history.HistoryData ?? "{}")).toMatchObject({
      type: "Create",
      createdAlarm: { AlarmName: "errors", Threshold: 1 },
    });

    const inAlarm = evaluateAlarm(created.alarm, storeWith("X"), NOW + MINUTE).alarm;
    const updated = putMetricAlarm(
      input({ Threshold: 10, AlarmActions: undefined }),
      inAlarm,
      ARN,
      NOW + 2 * MINUTE,
    );
    expect(updated.history).toMatchObject({ HistorySummary: 'Alarm "errors" updated' });
    expect(updated.alarm).toMatchObject({
      stateValue: "ALARM",
      configurationUpdatedTimestamp: NOW + 2 * MINUTE,
    });
    expect(updated.alarm.config).toMatchObject({ threshold: 10, alarmActions: [] });
    expect(evaluateAlarm(updated.alarm, storeWith("X"), NOW + 2 * MINUTE).state).toBe("OK");
  });

  it("DescribeAlarms' shape of a record", () => {
    const record = alarm({
      DatapointsToAlarm: 1,
      Dimensions: [{ Name: "Service", Value: "api" }],
      Unit: "Count",
    });
    expect(toMetricAlarm(record)).toMatchObject({
      AlarmName: "errors",
      AlarmArn: ARN,
      StateValue: "INSUFFICIENT_DATA",
      StateReason: INITIAL_REASON,
      Namespace: "App",
      MetricName: "Errors",
      Statistic: "Sum",
      Dimensions: [{ Name: "Service", Value: "api" }],
      Period: 60,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "missing",
      Unit: "Count",
      ActionsEnabled: true,
    });
  });
});

describe("SetAlarmState", () => {
  it("sets the state, fires the new state's actions, and lasts only until the next evaluation", () => {
    const ok = evaluateAlarm(alarm(), storeWith("0"), NOW).alarm;
    const set = setAlarmState(
      ok,
      { AlarmName: "errors", StateValue: "ALARM", StateReason: "testing", StateReasonData: '{"k":1}' },
      NOW + 1,
    );
    expect(set.transition).toMatchObject({
      from: "OK",
      to: "ALARM",
      actions: ["arn:aws:sns:us-east-1:000000000000:alarm"],
    });
    expect(set.alarm).toMatchObject({
      stateValue: "ALARM",
      stateReason: "testing",
      stateReasonData: '{"k":1}',
    });
    expect(JSON.parse(set.transition?.history.HistoryData ?? "{}").newState).toEqual({
      stateValue: "ALARM",
      stateReason: "testing",
      stateReasonData: { k: 1 },
    });

    const next = evaluateAlarm(set.alarm, storeWith("0"), NOW + MINUTE);
    expect(next.transition).toMatchObject({ from: "ALARM", to: "OK" });
  });

  it("setting the current state again changes the reason only", () => {
    const set = setAlarmState(
      alarm(),
      { AlarmName: "errors", StateValue: "INSUFFICIENT_DATA", StateReason: "again" },
      NOW,
    );
    expect(set.transition).toBeUndefined();
    expect(set.alarm.stateReason).toBe("again");
  });

  it("rejects an unknown state, a missing reason and reason data that is not JSON", () => {
    const record = alarm();
    const set = (overrides: object) =>
      awsError(() =>
        setAlarmState(record, { AlarmName: "errors", StateValue: "OK", StateReason: "r", ...overrides }, NOW),
      );
    expect(set({ StateValue: "BROKEN" }).code).toBe("InvalidParameterValue");
    expect(set({ StateReason: undefined }).code).toBe("MissingParameter");
    expect(set({ StateReasonData: "{not json" })).toMatchObject({
      code: "InvalidFormat",
      message: "Data was not syntactically valid JSON",
    });
  });
});

describe("PutMetricAlarm validation", () => {
  const reject = (overrides: Partial<PutMetricAlarmInput>) =>
    awsError(() => putMetricAlarm(input(overrides), undefined, ARN, NOW));

  it("refuses metric math and anomaly detection with a clear error", () => {
    const math = reject({
      MetricName: undefined,
      Namespace: undefined,
      Statistic: undefined,
      Metrics: [{ Id: "e1", Expression: "m1 * 2" }],
    });
    expect(math.message).toBe(
      "Metric math (an alarm on Metrics with expressions or metric queries) is not supported by the local region.",
    );
    expect(reject({ ComparisonOperator: "LessThanLowerOrGreaterThanUpperThreshold" }).message).toBe(
      "The anomaly detection operator LessThanLowerOrGreaterThanUpperThreshold is not supported by the local region.",
    );
    expect(reject({ ThresholdMetricId: "ad1" }).code).toBe("InvalidParameterCombination");
  });

  it("checks periods, M of N, statistics and options", () => {
    expect(reject({ Period: 20 }).code).toBe("InvalidParameterValue");
    expect(reject({ Period: 3600, EvaluationPeriods: 25 }).message).toBe(
      "Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400).",
    );
    expect(reject({ EvaluationPeriods: 2, DatapointsToAlarm: 3 }).code).toBe("InvalidParameterValue");
    expect(reject({ ExtendedStatistic: "p99" }).code).toBe("InvalidParameterCombination");
    expect(reject({ Statistic: undefined, ExtendedStatistic: "tm99" }).message).toMatch(/not supported/);
    expect(reject({ TreatMissingData: "sometimes" }).code).toBe("InvalidParameterValue");
    expect(reject({ EvaluateLowSampleCountPercentile: "ignore" }).code).toBe("InvalidParameterCombination");
    expect(reject({ Threshold: undefined }).message).toBe("The parameter Threshold is required.");
    expect(reject({ AlarmName: "bad\u0007name" }).code).toBe("InvalidParameterValue");
    expect(reject({ Namespace: undefined }).message).toBe("The parameter Namespace is required.");
  });

  it("accepts the high-resolution periods 10 and 30", () => {
    const metrics = new MetricStore();
    metrics.put(
      "App",
      [{ MetricName: "Errors", Value: 5, StorageResolution: 1, Timestamp: new Date(NOW - 15_000) }],
      NOW,
    );
    const tenSeconds = putMetricAlarm(input({ Period: 10 }), undefined, ARN, NOW).alarm;
    expect(evaluateAlarm(tenSeconds, metrics, NOW).state).toBe("ALARM");
    expect(() => putMetricAlarm(input({ Period: 30 }), undefined, ARN, NOW)).not.toThrow();
  });
});
