import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { CONSOLE_PORT, startConsole } from "@platform/console";
import { APP_NAMES, type PlatformSpec, serviceName } from "@platform/env";
import {
  EcsPlugin,
  LogsPlugin,
  type RegionHandle,
  type SmtpOptions,
  startRegion,
} from "@platform/local-region";
import { loadCheckout } from "../image/repo-root.js";
import { type AppImage, ensureAppImage } from "./app-images.js";
import { ensureAutoscaling, scalingMetricCadence } from "./autoscaling.js";
import { type Bootstrapped, bootstrap, eachService } from "./bootstrap.js";
import { regionClients } from "./clients.js";
import { ensureService, type TrafficShift } from "./deploy-services.js";
import { loadOrCreateApiKeys } from "./dev-secrets.js";
import { startLiveView } from "./live-view.js";
import { setUpMonitoring } from "./monitoring.js";

// `npm start`: the local region, the platform bootstrapped from the env spec through the AWS API,
// the two apps built, pushed and deployed, then a live view until Ctrl-C.

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const started = Date.now();
  const { repoRoot: root, spec } = loadCheckout();
  const stateDir = process.env.LOCAL_REGION_STATE_DIR ?? join(root, ".local-region");
  const regionLog = join(stateDir, "region.log");
  // The region log, not the terminal: the live view owns the terminal.
  const logs = new LogsPlugin({ log: (m) => appendLog(regionLog, m) });
  const ecs = new EcsPlugin({
    logs,
    taskPorts: spec.local.taskPorts,
    udpPorts: spec.local.mediaUdpPorts,
    maxDeploymentBakeSeconds: spec.local.maxDeploymentBakeSeconds,
    // ECS's CPU and memory utilization at the scaling alarms' resolution, as the API's demand.
    ...(scalingMetricCadence(spec) && { utilization: scalingMetricCadence(spec) }),
    log: (m) => appendLog(regionLog, m),
  });
  say(`starting the local region (state in ${stateDir})`);
  const region = await startRegion({
    stateDir,
    awsEndpointPort: spec.local.awsEndpointPort,
    region: spec.region,
    plugins: [logs, ecs],
    log: (m) => appendLog(regionLog, m),
    smtp: localSmtp(spec),
    ...(spec.local.autoscaling && {
      autoscalingAlarms: {
        periodSeconds: spec.local.autoscaling.alarmPeriodSeconds,
        highEvaluationPeriods: spec.local.autoscaling.highEvaluationPeriods,
        lowEvaluationPeriods: spec.local.autoscaling.lowEvaluationPeriods,
      },
    }),
  });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      say(`${signal} again: killing the tasks and exiting without draining`);
      ecs.runner.killAllNow();
      process.exit(1);
    }
    stopping = true;
    view?.stop();
    say(`\n${signal}: stopping the tasks (draining, then SIGTERM) and the region...`);
    await region.stop();
    await Promise.all(notifiers.map((n) => n.close()));
    say("stopped.");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  let view: ReturnType<typeof startLiveView> | undefined;
  let notifiers: { close(): Promise<void> }[] = [];

  const clients = regionClients(region.endpoint, region.region, region.credentials);
  const apiKeys = loadOrCreateApiKeys(stateDir);
  const boot = await bootstrap(clients, spec, stateDir, apiKeys, say);
  await region.settled();
  for (const [port, reason] of region.listenerFailures())
    say(`warning: listener on port ${port} is not serving: ${reason}`);
  // Before the services: they are created with their deployment alarms.
  notifiers = await setUpMonitoring(clients, spec, boot, region.endpoint, say, (m) =>
    appendLog(regionLog, m),
  );

  const images: Partial<Record<string, AppImage>> = {};
  for (const app of APP_NAMES) {
    images[app] = await ensureAppImage(
      clients.ecr,
      root,
      app,
      ["qa", "prod"].map((e) => `${app}-${e}`),
      say,
    );
  }
  let changes = 0;
  for (const { app, env, name } of eachService()) {
    const image = images[app]?.uris[name];
    if (!image) continue;
    const result = await ensureService(
      clients,
      spec,
      {
        app,
        env,
        name,
        image,
        targetGroupArn: boot.targetGroups[name] as string,
        secrets: boot.secretArns[name] ?? {},
        trafficShift: trafficShiftOf(boot, name),
      },
      say,
    );
    await ensureAutoscaling(clients, spec, { app, env, name }, say);
    if (result !== "unchanged") changes += 1;
  }
  const header = summary(spec, region, apiKeys, images, changes, Date.now() - started);
  const web = await startConsole({
    regionEndpoint: region.endpoint,
    region: region.region,
    credentials: region.credentials,
    stateDir,
    port: CONSOLE_PORT,
  });
  header.push(
    `  console ${web.url}   (sign in with the access key in ${region.credentials.credentialsFile})`,
  );
  say(header.join("\n"));
  const names = eachService().map((s) => s.name);
  const groups = Object.fromEntries(
    names.map((n) => [
      n,
      [boot.targetGroups[n], boot.alternateTargetGroups[n]].filter((g) => g !== undefined),
    ]),
  );
  view = startLiveView(clients, names, groups, header);
}

function trafficShiftOf(boot: Bootstrapped, name: string): TrafficShift | undefined {
  const green = boot.alternateTargetGroups[name];
  const rules = boot.listenerRules[name];
  if (!green || !rules) return undefined;
  return {
    alternateTargetGroupArn: green,
    productionListenerRule: rules.production,
    testListenerRule: rules.test,
  };
}

function summary(
  spec: PlatformSpec,
  region: RegionHandle,
  apiKeys: Record<string, string>,
  images: Partial<Record<string, AppImage>>,
  changes: number,
  elapsedMs: number,
): string[] {
  const { httpPort, httpsPort, testHttpPort, testHttpsPort, domain } = spec.local;
  const qaHost = `${spec.environments.qa.hostPrefix ?? "qa"}.${domain}`;
  const placeholders = Object.values(images).filter((i) => i?.placeholderBecause);
  return [
    `The platform is up (${(elapsedMs / 1000).toFixed(1)} s, ${changes ? `${changes} service(s) created or deployed` : "nothing changed"}; node ${process.version}).`,
    `  prod  http://${domain}:${httpPort}   https://${domain}:${httpsPort}`,
    `  qa    http://${qaHost}:${httpPort}   https://${qaHost}:${httpsPort}   (Node's fetch: set the Host header)`,
    `  test  http://${domain}:${testHttpPort}   https://${domain}:${testHttpsPort}   (blue/green services: the new version, before users see it)`,
    `  AWS endpoint ${region.endpoint}  services: ${APP_NAMES.flatMap((a) => ["qa", "prod"].map((e) => serviceName(a, e as "qa" | "prod"))).join(", ")}`,
    `  export AWS_PROFILE=local AWS_SHARED_CREDENTIALS_FILE=${region.credentials.credentialsFile} AWS_CONFIG_FILE=${region.credentials.configFile} AWS_ENDPOINT_URL=${region.endpoint}`,
    `  alarm e-mails: ${spec.alarms.smtp ? `over SMTP via ${spec.alarms.smtp.host}` : join(region.stateDir, "outbox")} (each recipient confirms once, from the confirmation e-mail)`,
    `  API keys: qa ${apiKeys.qa}   prod ${apiKeys.prod}   (also in ${join(region.stateDir, "api-keys.json")})`,
    `  images: ${Object.values(images)
      .map((i) => `${i?.app}:${i?.tag}${i?.built ? " (built)" : ""}`)
      .join("  ")}`,
    ...placeholders.map((p) => `  note: ${p?.app} runs a placeholder image: ${p?.placeholderBecause}`),
  ];
}

/**
 * The spec's SMTP server, for the region's SNS e-mail (else the outbox). The spec names the
 * password's parameter, never its value; on this machine the value comes from the environment.
 */
function localSmtp(spec: PlatformSpec): SmtpOptions | undefined {
  const smtp = spec.alarms.smtp;
  if (!smtp) return undefined;
  const pass = process.env.LOCAL_REGION_SMTP_PASSWORD;
  if (smtp.username && !pass)
    throw new Error("alarms.smtp names a username: set LOCAL_REGION_SMTP_PASSWORD to its password");
  return {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    from: smtp.from,
    auth: smtp.username && pass ? { user: smtp.username, pass } : undefined,
  };
}

function appendLog(file: string, message: string): void {
  try {
    appendFileSync(file, `${new Date().toISOString()} ${message}\n`);
  } catch {
    // The log is a convenience; the region keeps running without it.
  }
}

main().catch((error: Error) => {
  const message = error.message.includes("EADDRINUSE")
    ? `${error.message}: is another local region (or something else) using the port? Stop it and retry.`
    : error.message;
  process.stderr.write(`npm start failed: ${message}\n`);
  process.exit(1);
});
