import { copyFileSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import {
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { CLUSTER } from "@platform/local-region/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAGES, takeScreenshots } from "../scripts/screenshots.js";
import { startConsole } from "../src/index.js";
import { LIFECYCLE_STAGES } from "../src/views.js";
import { canvasPixels, readChart } from "./chart-pixels.js";
import { type Platform, POLL_MS, SERVICES, signedIn, startPlatform, topicMailing } from "./fixture.js";
import { TcpProxy } from "./tcp-proxy.js";

// The console in headless Chromium over a real local region: every page and stream is closed to
// anyone without the session, and the pages show what the region's APIs say, live.

let platform: Platform;

// A 10 s alarm as the region evaluates it (infra/local, alarm-evaluation.ts): a period is evaluated
// 10 s after it ended (what native 10 s alarms do), each alarm once a period on a 1 s tick. So a
// datapoint turns the alarm at most the rest of its period + 10 s + one period + a tick after it is
// put; the page follows within the console's poll. The margin is for a loaded 2-core machine: a
// late tick or poll, the SSE push, Preact's render.
const PERIOD_S = 10;
const EVALUATED_WITHIN_MS = (PERIOD_S + 10 + PERIOD_S + 1) * 1000 + 3_000;
const PAGE_MARGIN_MS = 3_000;

beforeAll(async () => {
  platform = await startPlatform({ from: 44700, to: 44799 });
}, 180_000);

afterAll(async () => {
  await platform?.stop();
});

describe("without a session", () => {
  it("answers 401 to every page, stream and read, and to a wrong key", async () => {
    for (const path of [
      "/",
      "/services",
      "/alarms",
      "/app.js",
      "/events/services",
      "/events/apps",
      "/events/tasks",
      "/events/load-balancer",
      "/events/alarms",
      "/events/logs",
      "/api/mail",
    ]) {
      const res = await fetch(new URL(path, platform.console.url));
      expect(res.status, path).toBe(401);
      await res.body?.cancel();
    }
    const forged = await fetch(new URL("/events/services", platform.console.url), {
      headers: { cookie: "console_session=9999999999999.abc.def" },
    });
    expect(forged.status).toBe(401);
    const wrong = await fetch(new URL("/login", platform.console.url), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        accessKeyId: platform.ecs.region.credentials.accessKeyId,
        secretAccessKey: "nope",
      }),
      redirect: "manual",
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("are not the region");
  });

  it("gives an HttpOnly, SameSite=Strict cookie for the region's key", async () => {
    const { accessKeyId, secretAccessKey } = platform.ecs.region.credentials;
    const res = await fetch(new URL("/login", platform.console.url), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ accessKeyId, secretAccessKey }),
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await fetch(new URL("/services", platform.console.url), {
      headers: { cookie: cookie.split(";")[0] as string },
    });
    expect(page.status).toBe(200);
  });
});

describe("Services", () => {
  it("shows the four services by environment with their strategy and running/desired counts", async () => {
    const page = await signedIn(platform);
    for (const name of SERVICES) {
      const desired = name === "media-server-qa" ? 2 : 1;
      await expect
        .poll(() => page.textContent(`[data-service="${name}"] .counts`), { timeout: 60_000 })
        .toBe(`${desired}/${desired}`);
    }
    expect(await page.textContent('[data-env="prod"]')).toContain("api-prod");
    expect(await page.textContent('[data-env="qa"]')).toContain("media-server-qa");
    expect(await page.textContent('[data-service="api-prod"] .badge')).toBe("BLUE_GREEN");
    expect(await page.textContent('[data-service="api-qa"] .badge')).toBe("ROLLING");
    // The production rule sends everything to blue before any deployment.
    expect(
      await page.getAttribute('[data-service="api-prod"] [data-target-group="api-prod"]', "data-percent"),
    ).toBe("100");
    await page.close();
  });
});

/** A "Sum > 5 in 1 of 1 periods" alarm on Console/Test `metric` mailing `topic`, and the Alarms page showing it. */
async function alarmOnPage(name: string, metric: string, period: number, topic: string) {
  await platform.ecs.cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: "Console/Test",
      MetricName: metric,
      Statistic: "Sum",
      Period: period,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 5,
      ComparisonOperator: "GreaterThanThreshold",
      AlarmActions: [topic],
    }),
  );
  const page = await signedIn(platform);
  await page.click('nav a[href="/alarms"]');
  const card = `[data-alarm="${name}"]`;
  await page.waitForSelector(card, { timeout: 30_000 });
  return { page, card };
}

describe("Alarms", () => {
  it("shows an alarm going to ALARM with its threshold and history, and its e-mail can be opened", async () => {
    const topic = await topicMailing(platform, "platform-alarms-prod", "ops@example.test");

    const cw = platform.ecs.cloudwatch;
    await cw.send(
      new PutMetricDataCommand({
        Namespace: "Console/Test",
        MetricData: [{ MetricName: "Errors", Value: 9, Timestamp: new Date() }],
      }),
    );
    const { page, card } = await alarmOnPage("api-prod-errors", "Errors", 60, topic);
    expect(await page.textContent(`${card} .muted`)).toContain("GreaterThanThreshold 5");
    await page.waitForSelector(`${card} canvas`);
    await cw.send(
      new SetAlarmStateCommand({
        AlarmName: "api-prod-errors",
        StateValue: "ALARM",
        StateReason: "console test",
      }),
    );
    await expect.poll(() => page.textContent(`${card} .state`), { timeout: 30_000 }).toBe("ALARM");
    await expect.poll(() => page.textContent(`${card} .events`), { timeout: 30_000 }).toContain("to ALARM");

    const mail = page.locator("table.mails tr", { hasText: 'ALARM: "api-prod-errors"' });
    await mail.waitFor({ timeout: 30_000 });
    await mail.locator("a").click();
    await expect.poll(() => page.textContent("#mail"), { timeout: 10_000 }).toContain("ops@example.test");
    expect(await page.textContent("#mail .mail-body")).toContain("api-prod-errors");
    await page.close();
  });

  it("shows an alarm the region's own evaluation sets to ALARM within its period, live, with the datapoint over the threshold line", async () => {
    const topic = await topicMailing(platform, "platform-alarms-qa", "oncall@example.test");
    const cw = platform.ecs.cloudwatch;
    const name = "api-qa-job-errors";
    const { page, card } = await alarmOnPage(name, "JobErrors", PERIOD_S, topic);
    await expect
      .poll(() => page.textContent(`${card} .state`), { timeout: 30_000 })
      .toBe("INSUFFICIENT_DATA");
    // When the page itself first shows ALARM, by the browser's clock (the same machine's).
    await page.evaluate(`(() => {
      const card = document.querySelector(${JSON.stringify(card)});
      new MutationObserver(() => {
        if (!window.alarmShownAt && card.querySelector(".state")?.textContent === "ALARM") window.alarmShownAt = Date.now();
      }).observe(card, { subtree: true, childList: true, characterData: true });
    })()`);

    const putAt = Date.now();
    await cw.send(
      new PutMetricDataCommand({
        Namespace: "Console/Test",
        MetricData: [{ MetricName: "JobErrors", Value: 9, Timestamp: new Date(putAt), StorageResolution: 1 }],
      }),
    );
    await expect.poll(() => page.evaluate("window.alarmShownAt"), { timeout: 60_000 }).toBeGreaterThan(0);
    const shownAt = (await page.evaluate("window.alarmShownAt")) as number;
    const alarm = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0];
    const evaluatedAt = alarm?.StateUpdatedTimestamp?.getTime() ?? Number.NaN;
    const delays = { evaluated: evaluatedAt - putAt, shown: shownAt - putAt, page: shownAt - evaluatedAt };
    console.info(`${name}: datapoint → ALARM ${JSON.stringify(delays)} ms`);
    expect(alarm?.StateReason).toMatch(
      /^Threshold Crossed: .* \[9\.0 .* greater than the threshold \(5\.0\)/,
    );
    expect(delays.evaluated, "the region's evaluation").toBeLessThanOrEqual(EVALUATED_WITHIN_MS);
    expect(delays.page, "from the region's state to the page").toBeLessThanOrEqual(POLL_MS + PAGE_MARGIN_MS);
    expect(await page.textContent(`${card} .reason`)).toBe(alarm?.StateReason);

    // The chart: the datapoint (9) drawn at 9/5 of the threshold line's height above the axis, at the
    // right end of the 30-minute window (it is seconds old).
    const pixels = await canvasPixels(page, card);
    const chart = readChart(pixels);
    const { thresholdY, axisY, series } = chart;
    expect(thresholdY, JSON.stringify(chart)).toBeDefined();
    expect(axisY, JSON.stringify(chart)).toBeDefined();
    expect(series, JSON.stringify(chart)).toBeDefined();
    expect(series!.x / pixels.width, JSON.stringify(chart)).toBeGreaterThan(0.9);
    const heights = (axisY! - series!.y) / (axisY! - thresholdY!);
    console.info(`${name}: chart ${JSON.stringify({ ...chart, heights })}`);
    expect(heights, JSON.stringify(chart)).toBeGreaterThan(9 / 5 - 0.15);
    expect(heights, JSON.stringify(chart)).toBeLessThan(9 / 5 + 0.15);

    const mail = page.locator("table.mails tr", { hasText: `ALARM: "${name}"` });
    await mail.waitFor({ timeout: 30_000 });
    await mail.locator("a").click();
    await expect.poll(() => page.textContent("#mail"), { timeout: 10_000 }).toContain("oncall@example.test");
    expect(await page.textContent("#mail .mail-body")).toContain(alarm?.StateReason);
    await page.close();
  });

  it("reads only e-mails the outbox holds", async () => {
    const page = await signedIn(platform);
    const answer = await page.evaluate(async () => {
      const res = await fetch("/api/mail?file=../credentials");
      return { status: res.status, body: await res.text() };
    });
    expect(answer.status).toBe(404);
    expect(answer.body).not.toContain("aws_secret_access_key");
    await page.close();
  });
});

describe("Logs", () => {
  it("tails a service's log group live, filtered by a CloudWatch pattern", async () => {
    const page = await signedIn(platform);
    await page.goto(new URL("/logs", platform.console.url).href);
    await page.selectOption("#log-group", "/ecs/api-qa");
    await expect.poll(() => page.textContent("#log-lines"), { timeout: 60_000 }).toContain("listening on");
    // The choice holds once the services arrive (the page once put the first service back).
    expect(await page.inputValue("#log-group")).toBe("/ecs/api-qa");

    const line = `console tail check ${Date.now()}`;
    const logs = platform.ecs.logs;
    await logs.send(
      new CreateLogStreamCommand({ logGroupName: "/ecs/api-qa", logStreamName: "ecs/app/console" }),
    );
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: "/ecs/api-qa",
        logStreamName: "ecs/app/console",
        logEvents: [{ timestamp: Date.now(), message: line }],
      }),
    );
    await expect.poll(() => page.textContent("#log-lines"), { timeout: 30_000 }).toContain(line);

    await page.fill("#filter-pattern", '"tail check"');
    await page.click("#apply-filter");
    // The filtered tail is a new stream (the box is empty until its first snapshot): wait for the
    // matching line, then check it came alone.
    await expect.poll(() => page.textContent("#tail-status"), { timeout: 30_000 }).toBe("live · 1 lines");
    const filtered = await page.textContent("#log-lines");
    expect(filtered).toContain(line);
    expect(filtered).not.toContain("listening on");
    await page.close();
  });

  it("shows CloudWatch's message for a filter pattern it can't parse", async () => {
    const page = await signedIn(platform);
    await page.goto(new URL("/logs", platform.console.url).href);
    await page.selectOption("#log-group", "/ecs/api-qa");
    await page.fill("#filter-pattern", "{ $.level = ");
    await page.click("#apply-filter");
    await expect.poll(() => page.textContent("#log-error"), { timeout: 30_000 }).toContain("Invalid");
    await page.close();
  });
});

describe("Tasks and targets", () => {
  it("lists each running task with its revision, digest, host port and health in its target group", async () => {
    const page = await signedIn(platform);
    await page.click('nav a[href="/tasks"]');
    const row = '[data-service="api-qa"]';
    await expect
      .poll(() => page.getAttribute(`${row} [data-target-group="api-qa"]`, "data-state"), { timeout: 60_000 })
      .toBe("healthy");
    expect(await page.textContent(row)).toContain("api-qa:1");
    expect(await page.textContent(`${row} .mono`)).toMatch(/^sha256:/);
    expect(await page.textContent(`${row} td.ports`)).toMatch(/^\d{4,5}$/);
    expect(await page.locator('tr[data-service="media-server-qa"]').count()).toBe(2);
    await page.close();
  });
});

describe("Load balancer", () => {
  it("shows the listener rules with their hosts and weights, and a chart per target group", async () => {
    const page = await signedIn(platform);
    await page.click('nav a[href="/load-balancer"]');
    const rules = page.locator("table.rules tr", { hasText: "api-qa.localhost" });
    await rules.first().waitFor({ timeout: 30_000 });
    expect(await rules.first().textContent()).toContain("host-header");
    const weighted = page.locator("table.rules tr", { hasText: "api-prod-green" }).first();
    expect(await weighted.locator(".weights").textContent()).toBe("api-prod 100 / api-prod-green 0");
    expect(await page.locator('[data-tg="api-qa"] canvas').count()).toBeGreaterThan(0);
    await page.close();
  });
});

describe("Transcoding and media", () => {
  it("links each app where the load balancer serves it, with its health and version", async () => {
    const page = await signedIn(platform);
    await page.click('nav a[href="/apps"]');
    const row = '[data-app="api-qa"]';
    await expect.poll(() => page.textContent(`${row} .version`), { timeout: 30_000 }).toBe("v1");
    expect(await page.textContent(`${row} .health`)).toBe("200 ok");
    expect(await page.getAttribute(`${row} a`, "href")).toBe(
      `http://api-qa.localhost:${platform.ecs.listenerPort}/`,
    );
    await page.close();
  });
});

describe("a blue/green deploy of api-prod", () => {
  it("shows the lifecycle stages in order and the traffic bar reaching 100 % green", async () => {
    const page = await signedIn(platform);
    await page.waitForSelector('[data-service="api-prod"] [data-stage]');
    // Every stage the page shows, as it shows it.
    await page.evaluate(`(() => {
      const seen = (window.seen = []);
      new MutationObserver(() => {
        const stage = document.querySelector('[data-service="api-prod"] [data-stage]')?.getAttribute("data-stage");
        if (stage && seen.at(-1) !== stage) seen.push(stage);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    })()`);
    const { ecs, apiProd } = platform;
    await ecs.deployImage(apiProd, await ecs.pushImage(apiProd, "v2"));
    const green = '[data-service="api-prod"] [data-target-group="api-prod-green"]';
    await expect.poll(() => page.getAttribute(green, "data-percent"), { timeout: 90_000 }).toBe("100");
    await expect
      .poll(() => page.getAttribute('[data-service="api-prod"] [data-status]', "data-status"), {
        timeout: 90_000,
      })
      .toBe("SUCCESSFUL");
    const seen = (await page.evaluate("window.seen")) as string[];
    const positions = seen.map((s) => (LIFECYCLE_STAGES as readonly string[]).indexOf(s));
    expect(positions, seen.join(" → ")).not.toContain(-1);
    expect(positions, seen.join(" → ")).toEqual([...positions].sort((a, b) => a - b));
    expect(seen.length, seen.join(" → ")).toBeGreaterThanOrEqual(3);
    expect(seen, seen.join(" → ")).toContain("BAKE_TIME");
    await page.close();
  });
});

describe("the screenshots script", () => {
  it("takes a PNG of each page", async () => {
    const outDir = join(platform.ecs.region.stateDir, "screenshots");
    const { accessKeyId, secretAccessKey } = platform.ecs.region.credentials;
    const files = await takeScreenshots({ url: platform.console.url, accessKeyId, secretAccessKey, outDir });
    expect(files.map((f) => basename(f))).toEqual(PAGES.map((p) => `${p}.png`));
    for (const f of files) expect(readFileSync(f).subarray(1, 4).toString()).toBe("PNG");
    if (process.env.CONSOLE_SCREENSHOTS_DIR)
      for (const f of files) copyFileSync(f, join(process.env.CONSOLE_SCREENSHOTS_DIR, basename(f)));
  });
});

describe("a region restart and a dropped stream", () => {
  it("shows the region gone, then what changed meanwhile; a cut stream comes back by itself", async () => {
    const { region } = platform.ecs;
    const toRegion = new TcpProxy(region.port);
    await toRegion.start();
    const restarted = await startConsole({
      regionEndpoint: `http://127.0.0.1:${toRegion.port}`,
      credentials: region.credentials,
      pollMs: 300,
    });
    const toConsole = new TcpProxy(Number(new URL(restarted.url).port));
    await toConsole.start();
    try {
      const page = await signedIn(platform, `http://127.0.0.1:${toConsole.port}/`);
      const counts = '[data-service="api-qa"] .counts';
      await expect.poll(() => page.textContent(counts), { timeout: 30_000 }).toBe("1/1");

      await toRegion.stop();
      await expect
        .poll(() => page.textContent("#stream-status"), { timeout: 30_000 })
        .toContain("unreachable");
      await platform.ecs.ecs.send(
        new UpdateServiceCommand({ cluster: CLUSTER, service: "api-qa", desiredCount: 2 }),
      );
      await toRegion.start();
      await expect.poll(() => page.textContent(counts), { timeout: 60_000 }).toBe("2/2");
      expect(await page.textContent("#stream-status")).toContain("live");

      toConsole.cut();
      await expect
        .poll(() => page.textContent("#stream-status"), { timeout: 10_000 })
        .toContain("reconnecting");
      await platform.ecs.ecs.send(
        new UpdateServiceCommand({ cluster: CLUSTER, service: "api-qa", desiredCount: 1 }),
      );
      await expect.poll(() => page.textContent(counts), { timeout: 60_000 }).toBe("1/1");
      expect(await page.textContent("#stream-status")).toContain("live");
      await page.close();
    } finally {
      await toConsole.stop();
      await restarted.close();
      await toRegion.stop();
    }
  });
});
