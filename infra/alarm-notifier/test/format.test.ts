import { describe, expect, it } from "vitest";
import { alarmUrl, logEventsUrl } from "../src/console-url.js";
import { crossingValue, formatEmail, MAX_SUBJECT_LENGTH, subjectOf } from "../src/format.js";
import { alarmNotification, InvalidMessage, parseAlarmMessage } from "../src/message.js";
import { ERROR_LINES, ERROR_LOGS_ALARM, LATENCY_OK } from "./fixtures.js";

const alarm = parseAlarmMessage(JSON.stringify(ERROR_LOGS_ALARM));
const source = { logGroupName: "/platform/qa/api", filterPattern: '{ $.level = "error" }' };
const window = { start: Date.parse("2026-12-02T04:18:05.123Z"), end: Date.parse("2026-12-02T04:20:05.123Z") };

describe("the e-mail for an alarm", () => {
  const email = formatEmail(alarm, "qa", { kind: "lines", source, window, lines: ERROR_LINES });

  it("has a subject naming the environment, the state, the alarm and the crossing", () => {
    expect(email.subject).toBe("[qa] ALARM: api-qa-error-logs (25.0 >= 20)");
  });

  it("names the alarm, environment, state change, since when, threshold, value and reason", () => {
    expect(email.body).toContain(
      "api-qa-error-logs is ALARM in qa (was OK).\napi-qa logs ≥ 20 error lines a minute\n",
    );
    expect(email.body).toContain("Environment: qa\n");
    expect(email.body).toContain("State:       OK -> ALARM\n");
    expect(email.body).toContain("Since:       2026-12-02T04:20:05.123Z\n");
    expect(email.body).toContain("Metric:      Platform/Logs/api-qa ErrorLogLines\n");
    expect(email.body).toContain("Threshold:   Sum >= 20 in 1 of 1 period(s) of 60 s\n");
    expect(email.body).toContain("Value:       25.0\n");
    expect(email.body).toContain(`Reason:      ${ERROR_LOGS_ALARM.NewStateReason}\n`);
  });

  it("quotes the last log lines with their times, one line each", () => {
    expect(email.body).toContain(
      'The last 2 log line(s) matching { $.level = "error" } in /platform/qa/api, 2026-12-02T04:18:05.123Z to 2026-12-02T04:20:05.123Z:\n' +
        '  2026-12-02T04:19:01.000Z  {"level":"error","message":"db down","requestId":"r1"}\n' +
        '  2026-12-02T04:19:30.500Z  {"level":"error","message":"db\\ndown again"}\n',
    );
  });

  it("links those lines and the alarm in the console", () => {
    expect(email.body).toContain(
      "These lines in the CloudWatch console:\nhttps://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fplatform$252Fqa$252Fapi/log-events$3FfilterPattern$3D$257B$2520$2524.level$2520$253D$2520$2522error$2522$2520$257D$26start$3D1796185085123$26end$3D1796185205123\n",
    );
    expect(email.body).toContain(
      "The alarm: https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/api-qa-error-logs\n",
    );
  });

  it("says so when there were no lines, or they couldn't be read, or the alarm has no log", () => {
    expect(formatEmail(alarm, "qa", { kind: "lines", source, window, lines: [] }).body).toContain(
      'No log lines matching { $.level = "error" } in /platform/qa/api from 2026-12-02T04:18:05.123Z to 2026-12-02T04:20:05.123Z.',
    );
    expect(
      formatEmail(alarm, "qa", { kind: "unavailable", source, window, reason: "AccessDeniedException: no" })
        .body,
    ).toContain("could not be read: AccessDeniedException: no");
    expect(formatEmail(alarm, "qa", { kind: "none" }).body).toContain("has no log lines behind it");
  });
});

describe("the e-mail when the alarm is quiet again", () => {
  const ok = parseAlarmMessage(JSON.stringify(LATENCY_OK));
  const email = formatEmail(ok, "prod", { kind: "lines", source, window, lines: [] });

  it("says OK, with the most recent datapoint and the extended statistic", () => {
    expect(email.subject).toBe("[prod] OK: api-prod-latency-p95 (0.21 >= 1)");
    expect(email.body).toContain("api-prod-latency-p95 is OK in prod (was ALARM).");
    expect(email.body).toContain("Threshold:   p95 >= 1 in 3 of 3 period(s) of 60 s\n");
    expect(email.body).toContain(
      "Metric:      AWS/ApplicationELB TargetResponseTime (LoadBalancer=app/platform/0123456789abcdef, TargetGroup=targetgroup/api-prod/0123456789abcdef)\n",
    );
  });
});

describe("subjects", () => {
  it("stay under SNS's 100 characters, on one line", () => {
    const long = { ...alarm, AlarmName: `api-qa-${"x".repeat(200)}\nsecond line` };
    const subject = subjectOf(long, "qa");
    expect(subject.length).toBe(MAX_SUBJECT_LENGTH);
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject.endsWith("...")).toBe(true);
  });
});

describe("the crossing value", () => {
  it("is read from both forms of CloudWatch's reason", () => {
    expect(crossingValue(ERROR_LOGS_ALARM.NewStateReason)).toBe("25.0");
    expect(
      crossingValue(
        "Threshold Crossed: 1 datapoint (10.0) was greater than or equal to the threshold (1.0).",
      ),
    ).toBe("10.0");
    expect(crossingValue("Unchecked: Initial alarm creation")).toBeUndefined();
  });
});

describe("alarm messages", () => {
  it("accept what CloudWatch sends, fields it adds later included", () => {
    expect(alarmNotification.parse({ ...ERROR_LOGS_ALARM, SomethingNew: 1 }).SomethingNew).toBe(1);
  });

  it("refuse what isn't one, and say what is missing", () => {
    expect(() => parseAlarmMessage("not json")).toThrow(InvalidMessage);
    const { Trigger: _, ...noTrigger } = ERROR_LOGS_ALARM;
    expect(() => parseAlarmMessage(JSON.stringify(noTrigger))).toThrow(/Trigger/);
  });
});

describe("console links", () => {
  it("escape a pattern's brackets, quotes and parentheses twice, as the console does", () => {
    const url = logEventsUrl({
      region: "us-east-1",
      logGroupName: "/a b",
      filterPattern: "{ ($.status >= 500) }",
      start: 1,
      end: 2,
    });
    expect(url).toBe(
      "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/$252Fa$2520b/log-events$3FfilterPattern$3D$257B$2520$2528$2524.status$2520$253E$253D$2520500$2529$2520$257D$26start$3D1$26end$3D2",
    );
    expect(alarmUrl("eu-west-1", "a b")).toMatch(/#alarmsV2:alarm\/a%20b$/);
  });
});
