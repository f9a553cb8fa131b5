import type { Durable, OperationHandler } from "../../contracts.js";
import { commitAfter, mutating } from "../../state/durable.js";
import { paginate } from "../../wire/paging.js";
import { optString } from "../../wire/params.js";
import {
  alarmNames,
  describeAlarmsFilter,
  describeAlarmsForMetricInput,
  getMetricStatisticsInput,
  historyFilter,
  invalidToken,
  listMetricsInput,
  metricData,
  metricDataQueries,
  pageRequest,
  putMetricAlarmInput,
  scanAscending,
  setAlarmStateInput,
  timeRange,
} from "./input.js";
import type { MetricLogState } from "./metric-log.js";
import type { CloudWatchModel, CloudWatchState } from "./model.js";
import type { AlarmTransitions } from "./transitions.js";
import { datapointView } from "./views.js";

// CloudWatch's operations, the same handlers for awsJson1_0 and awsQuery: decoded input, model
// call, commit, API-shaped output.

/** ListMetrics answers 500 metrics a page; GetMetricData 100,800 datapoints (one page here). */
const METRICS_PAGE = 500;

export function cloudWatchOperations(
  model: CloudWatchModel,
  durable: Durable<CloudWatchState>,
  metricLog: Durable<MetricLogState>,
  transitions: AlarmTransitions,
): Record<string, OperationHandler> {
  return {
    PutMetricData: mutating(metricLog, (input) => {
      model.putMetricData(optString(input, "Namespace"), metricData(input));
      return {};
    }),
    GetMetricStatistics: (input) => {
      const statistics = getMetricStatisticsInput(input);
      return {
        Label: statistics.MetricName,
        Datapoints: model.getMetricStatistics(statistics).map(datapointView),
      };
    },
    GetMetricData: (input) => ({
      MetricDataResults: model.getMetricData(
        metricDataQueries(input),
        timeRange(input),
        scanAscending(input),
      ),
      Messages: [],
    }),
    ListMetrics: (input) => {
      const page = paginate(
        model.listMetrics(listMetricsInput(input)),
        { size: METRICS_PAGE, token: optString(input, "NextToken") },
        invalidToken,
      );
      return { Metrics: page.items, NextToken: page.next };
    },
    PutMetricAlarm: mutating(durable, (input, ctx) => {
      model.putMetricAlarm(putMetricAlarmInput(input), ctx);
      return {};
    }),
    DescribeAlarms: (input) => {
      const page = paginate(
        model.describeAlarms(describeAlarmsFilter(input)),
        pageRequest(input),
        invalidToken,
      );
      return { MetricAlarms: page.items, CompositeAlarms: [], NextToken: page.next };
    },
    DescribeAlarmsForMetric: (input) => ({
      MetricAlarms: model.describeAlarmsForMetric(describeAlarmsForMetricInput(input)),
    }),
    DescribeAlarmHistory: (input) => {
      const page = paginate(
        model.describeAlarmHistory(historyFilter(input)),
        pageRequest(input),
        invalidToken,
      );
      return { AlarmHistoryItems: page.items, NextToken: page.next };
    },
    SetAlarmState: (input) => {
      const request = setAlarmStateInput(input);
      const transition = commitAfter(durable, () => model.setAlarmState(request));
      if (transition) transitions.announce(request.AlarmName ?? "", transition);
      return {};
    },
    DeleteAlarms: mutating(durable, (input) => {
      model.deleteAlarms(alarmNames(input));
      return {};
    }),
    EnableAlarmActions: mutating(durable, (input) => {
      model.setActionsEnabled(alarmNames(input), true);
      return {};
    }),
    DisableAlarmActions: mutating(durable, (input) => {
      model.setActionsEnabled(alarmNames(input), false);
      return {};
    }),
  };
}
