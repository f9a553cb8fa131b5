import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  SNSClient,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
import { EcsTestRegion, readOutbox, type ShiftingApp, sleep, waitFor } from "@platform/local-region/testing";
import { type Browser, chromium, type Page } from "playwright-core";
import { type RunningConsole, startConsole } from "../src/index.js";

// The lightest platform the pages have something to show on: a region with the four services of
// the platform's names running the region's test image (api-prod blue/green, the others rolling),
// the console over it, and Debian's Chromium.

/** How often the test console polls the region. */
export const POLL_MS = 500;

export const SERVICES = ["api-prod", "api-qa", "media-server-prod", "media-server-qa"] as const;

export interface Platform {
  ecs: EcsTestRegion;
  apiProd: ShiftingApp;
  console: RunningConsole;
  browser: Browser;
  stop(): Promise<void>;
}

export async function startPlatform(taskPorts: { from: number; to: number }): Promise<Platform> {
  // Bake times capped at 5 s, so a blue/green deploy finishes within a test.
  const ecs = await EcsTestRegion.start({ taskPorts, maxDeploymentBakeSeconds: 5 });
  // The region's logs plugin may still flush a task's last lines on the next turn after stop():
  // give it that turn before the folder goes (else an ENOENT escapes the test).
  const stops: (() => Promise<void>)[] = [
    async () => {
      await ecs.region.stop();
      await sleep(200);
      await ecs.region.cleanup();
    },
  ];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => {});
  };
  try {
    await ecs.createEdge();
    const shifting = await ecs.createShiftingApp("api-prod", "localhost", 10);
    const td = await ecs.registerApp(shifting, await ecs.pushImage(shifting, "v1"));
    await ecs.createShiftingService(shifting, td, {});
    let priority = 20;
    for (const name of SERVICES.slice(1)) {
      const app = await ecs.createApp(name, `${name}.localhost`, priority++);
      const desired = name === "media-server-qa" ? 2 : 1;
      await ecs.createService(app, await ecs.registerApp(app, await ecs.pushImage(app, "v1")), desired);
    }
    const running = await startConsole({
      regionEndpoint: ecs.region.endpoint,
      credentials: ecs.region.credentials,
      stateDir: ecs.region.stateDir,
      pollMs: POLL_MS,
    });
    stops.push(() => running.close());
    const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
    stops.push(() => browser.close());
    return { ecs, apiProd: shifting, console: running, browser, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A page signed in through the login form, at 1280x800. */
export async function signedIn(platform: Platform, url = platform.console.url): Promise<Page> {
  const page = await platform.browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  await page.fill("#accessKeyId", platform.ecs.region.credentials.accessKeyId);
  await page.fill("#secretAccessKey", platform.ecs.region.credentials.secretAccessKey);
  await page.click("#login");
  await page.waitForSelector("#stream-status");
  return page;
}

/** An SNS topic with `address` subscribed by e-mail and confirmed from the outbox; returns its ARN. */
export async function topicMailing(platform: Platform, topicName: string, address: string): Promise<string> {
  const sns = platform.ecs.region.client(SNSClient);
  const topic = (await sns.send(new CreateTopicCommand({ Name: topicName }))).TopicArn as string;
  await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "email", Endpoint: address }));
  const confirmation = await waitFor(`the confirmation e-mail to ${address}`, () =>
    readOutbox(platform.ecs.region.stateDir).find((m) => m.to.includes(address) && m.body.includes("Token=")),
  );
  const token = /Token=([^&\s]+)/.exec(confirmation.body)?.[1] as string;
  await sns.send(new ConfirmSubscriptionCommand({ TopicArn: topic, Token: decodeURIComponent(token) }));
  return topic;
}
