import { describe, expect, it } from "vitest";
import {
  type AlarmDimensionValues,
  alarmDefinitions,
  alarmTopicNames,
  deploymentAlarmNames,
  metricFilters,
  notifierLogLines,
} from "../src/alarms.js";
import { loadSpec } from "../src/load.js";

const spec = loadSpec();

const values: AlarmDimensionValues<string> = {
  loadBalancer: "app/platform/abc",
  clusterName: "platform",
  targetGroups: { api: "targetgroup/api/1", "media-server": "targetgroup/media-server/2" },
  serviceNames: { api: "api-svc", "media-server": "media-svc" },
};

describe("alarm topics", () => {
  it("names one topic for alarm and OK actions and one for the e-mails, per environment", () => {
    expect(alarmTopicNames("qa")).toEqual({
      alarms: "platform-alarms-qa",
      emails: "platform-alarm-emails-qa",
    });
  });
});

describe("metric filters", () => {
  it("count error lines of both services, the API's failed jobs and the media server's failed pipelines", () => {
    expect(metricFilters("qa")).toEqual([
      {
        filterName: "api-qa-errors",
        logGroupName: "/platform/qa/api",
        filterPattern: '{ $.level = "error" }',
        metricName: "ErrorLogLines",
        metricNamespace: "Platform/Logs/api-qa",
        metricValue: "1",
        defaultValue: 0,
      },
      expect.objectContaining({
        filterName: "api-qa-job-failures",
        filterPattern: '{ $.event = "JobFailed" }',
        metricName: "JobFailures",
      }),
      expect.objectContaining({
        filterName: "media-server-qa-errors",
        logGroupName: "/platform/qa/media-server",
        metricNamespace: "Platform/Logs/media-server-qa",
      }),
      expect.objectContaining({
        filterName: "media-server-qa-pipeline-failures",
        filterPattern: '{ $.event = "PipelineFailed" }',
        metricName: "PipelineFailures",
      }),
    ]);
  });
});

describe("alarm definitions", () => {
  it("give the default environment the ALB's own 5xx and qa only its services' alarms", () => {
    const names = (env: "qa" | "prod") => alarmDefinitions(spec, env, values).map((a) => a.alarmName);
    const perService = (key: string, last: string) => [
      `${key}-5xx`,
      `${key}-latency-p95`,
      `${key}-unhealthy-hosts`,
      `${key}-cpu`,
      `${key}-memory`,
      `${key}-error-logs`,
      `${key}-${last}`,
    ];
    expect(names("qa")).toEqual([
      ...perService("api-qa", "job-failures"),
      ...perService("media-server-qa", "pipeline-failures"),
    ]);
    expect(names("prod")).toEqual([
      "alb-5xx-prod",
      ...perService("api-prod", "job-failures"),
      ...perService("media-server-prod", "pipeline-failures"),
    ]);
  });

  it("all fire at or above the threshold on every breaching period and treat a quiet metric as OK", () => {
    for (const a of alarmDefinitions(spec, "prod", values)) {
      expect(a.comparisonOperator, a.alarmName).toBe("GreaterThanOrEqualToThreshold");
      expect(a.treatMissingData, a.alarmName).toBe("notBreaching");
      expect(a.datapointsToAlarm, a.alarmName).toBe(a.evaluationPeriods);
      expect(a.statistic === undefined, `${a.alarmName}: one of statistic and extendedStatistic`).toBe(
        a.extendedStatistic !== undefined,
      );
    }
  });

  it("take their thresholds from the spec and the dimensions from the caller", () => {
    const byName = new Map(alarmDefinitions(spec, "qa", values).map((a) => [a.alarmName, a]));
    const t = spec.environments.qa.alarms;
    expect(byName.get("api-qa-5xx")).toMatchObject({
      namespace: "AWS/ApplicationELB",
      metricName: "HTTPCode_Target_5XX_Count",
      dimensions: { LoadBalancer: "app/platform/abc", TargetGroup: "targetgroup/api/1" },
      statistic: "Sum",
      period: 60,
      threshold: t.http5xxPerMinute,
      logLines: { logGroupName: "/platform/qa/api", filterPattern: "{ $.status >= 500 }" },
    });
    expect(byName.get("media-server-qa-latency-p95")).toMatchObject({
      extendedStatistic: "p95",
      evaluationPeriods: 3,
      threshold: t.targetResponseTimeSeconds,
      logLines: { filterPattern: '{ ($.message = "request") && ($.durationMs >= 2000) }' },
    });
    expect(byName.get("api-qa-memory")).toMatchObject({
      namespace: "AWS/ECS",
      metricName: "MemoryUtilization",
      dimensions: { ClusterName: "platform", ServiceName: "api-svc" },
      threshold: t.memoryPercent,
    });
    expect(byName.get("media-server-qa-pipeline-failures")).toMatchObject({
      namespace: "Platform/Logs/media-server-qa",
      metricName: "PipelineFailures",
      dimensions: {},
      period: 300,
      threshold: t.pipelineFailuresPerFiveMinutes,
    });
    expect(byName.get("api-qa-error-logs")?.logLines).toBeUndefined();
  });

  it("are generic over the dimension value, so Pulumi can pass its own Inputs", () => {
    const boxed = { value: "x" };
    const wrapped: AlarmDimensionValues<typeof boxed> = {
      loadBalancer: boxed,
      clusterName: boxed,
      targetGroups: { api: boxed, "media-server": boxed },
      serviceNames: { api: boxed, "media-server": boxed },
    };
    const [first] = alarmDefinitions(spec, "prod", wrapped);
    expect(first?.dimensions.LoadBalancer).toBe(boxed);
  });

  it("tell the notifier where the lines of every alarm not on a log metric filter are", () => {
    const lines = notifierLogLines(alarmDefinitions(spec, "prod", values));
    expect(Object.keys(lines)).toContain("alb-5xx-prod");
    expect(Object.keys(lines)).not.toContain("api-prod-error-logs");
    expect(lines["api-prod-unhealthy-hosts"]).toEqual({
      logGroupName: "/platform/prod/api",
      filterPattern: '{ (($.path = "/healthz") && ($.status != 200)) || ($.level = "error") }',
    });
  });
});

describe("deployment alarms", () => {
  it("are the service's 5xx and error-log alarms", () => {
    expect(deploymentAlarmNames("media-server", "prod", { strategy: "ROLLING" })).toEqual([
      "media-server-prod-5xx",
      "media-server-prod-error-logs",
    ]);
  });

  it("of a service that shifts traffic include its green group's 5xx alarm, which exists beside blue's", () => {
    expect(deploymentAlarmNames("api", "qa", { strategy: "BLUE_GREEN", bakeTimeInMinutes: 5 })).toEqual([
      "api-qa-5xx",
      "api-qa-green-5xx",
      "api-qa-error-logs",
    ]);
    const names = alarmDefinitions(spec, "qa", {
      ...values,
      alternateTargetGroups: { api: "targetgroup/api-qa-green/3" },
    }).map((a) => a.alarmName);
    expect(names).toEqual(
      expect.arrayContaining([
        "api-qa-green-5xx",
        "api-qa-green-latency-p95",
        "api-qa-green-unhealthy-hosts",
      ]),
    );
    expect(names).not.toContain("media-server-qa-green-5xx");
    const green = alarmDefinitions(spec, "qa", {
      ...values,
      alternateTargetGroups: { api: "tg-green" },
    }).find((a) => a.alarmName === "api-qa-green-5xx");
    expect(green?.dimensions).toEqual({ LoadBalancer: values.loadBalancer, TargetGroup: "tg-green" });
  });
});
