import { createReadStream, mkdirSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { resolve } from "node:path";
import type { RegionPlugin, RegionServices } from "./contracts.js";
import { loadOrCreateAccessKey, loadOrCreateCredentials, type RegionCredentials } from "./credentials.js";
import { LocalScalableResources } from "./runtime/autoscaling/scalable-resources.js";
import { ScalingRunner } from "./runtime/autoscaling/scaling-runner.js";
import { AlarmActions } from "./runtime/cloudwatch/alarm-actions.js";
import { AlarmEvaluator } from "./runtime/cloudwatch/alarm-evaluator.js";
import { LocalListenerRules } from "./runtime/load-balancer/listener-rules.js";
import { LoadBalancer } from "./runtime/load-balancer/load-balancer.js";
import { LocalTargetGroups } from "./runtime/load-balancer/target-groups.js";
import { CREDENTIALS_PREFIX, TaskCredentialsEndpoint } from "./runtime/tasks/task-credentials.js";
import { type AlarmSettings, AWS_ALARM_SETTINGS } from "./services/application-autoscaling/alarms.js";
import { createApplicationAutoScalingService } from "./services/application-autoscaling/service.js";
import { LocalAlarmStates } from "./services/cloudwatch/alarm-states.js";
import { MetricLogFile } from "./services/cloudwatch/metric-log-file.js";
import { createCloudWatchService } from "./services/cloudwatch/service.js";
import { BlobStore, isDigest } from "./services/ecr/blob-store.js";
import { LocalImageRegistry } from "./services/ecr/registry.js";
import { createEcrService } from "./services/ecr/service.js";
import { createElbv2Service } from "./services/elbv2/service.js";
import type { DurableStates } from "./services/local-service.js";
import { createS3Service } from "./services/s3/service.js";
import { LocalSecretValues } from "./services/secrets-manager/secret-values.js";
import { createSecretsManagerService } from "./services/secrets-manager/service.js";
import { SnsPlugin } from "./services/sns/plugin.js";
import { type SmtpOptions, smtpFromUrl, smtpLabel } from "./services/sns/smtp.js";
import { createSsmService } from "./services/ssm/service.js";
import { JsonFileDurable } from "./state/durable.js";
import { lockStateDir } from "./state/lock.js";
import { WireServer } from "./wire/server.js";

// The local region: the control plane (wire + ECR, ELBv2, SSM, Secrets Manager, CloudWatch,
// Application Auto Scaling and its scaling runner), the
// load balancer that follows the ELBv2 model, then the plugins (SNS and its deliveries, ECS and its
// scheduler, CloudWatch Logs, ...). Stopped in reverse.

export const LOCAL_ACCOUNT_ID = "000000000000";
const BLOB_ROUTE = "/_ecr/blobs/";

export interface StartRegionOptions {
  stateDir: string;
  /** 4566 by default; 0 picks a free port (tests). */
  awsEndpointPort?: number;
  /** Region name for the profile file and plugins; requests may use any region. */
  region?: string;
  plugins?: RegionPlugin[];
  log?: (message: string) => void;
  /**
   * SNS e-mail subscriptions leave over this SMTP server; without it (nor LOCAL_REGION_SMTP_URL,
   * `smtp[s]://user:pass@host:port?from=address`) they land in `<stateDir>/outbox/*.eml`.
   */
  smtp?: SmtpOptions;
  /**
   * The alarms of target tracking policies: AWS's 1-minute periods, 3 of them for AlarmHigh and 15
   * for AlarmLow, unless shortened here (tests, as ECS's bake times are capped).
   */
  autoscalingAlarms?: Partial<AlarmSettings>;
}

export interface RegionHandle {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  port: number;
  region: string;
  accountId: string;
  stateDir: string;
  /** Usable as SDK `credentials`; also names the shared-credentials and config files (profile `local`). */
  credentials: RegionCredentials;
  /** Resolves when the load balancer's listeners match the ELBv2 model. */
  settled(): Promise<void>;
  /** Listener ports that could not be bound, with the reason. */
  listenerFailures(): ReadonlyMap<number, string>;
  stop(): Promise<void>;
}

export async function startRegion(options: StartRegionOptions): Promise<RegionHandle> {
  const stateDir = resolve(options.stateDir);
  const region = options.region ?? "us-east-1";
  const log = options.log ?? ((m: string) => console.error(m));
  mkdirSync(stateDir, { recursive: true });
  const unlock = lockStateDir(stateDir);
  const cleanups: (() => Promise<void> | void)[] = [unlock];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log(`region: stop step failed: ${String(error)}`);
      }
    }
  };
  try {
    const key = loadOrCreateAccessKey(stateDir);
    const wire = new WireServer({
      accountId: LOCAL_ACCOUNT_ID,
      secretFor: (accessKeyId) => (accessKeyId === key.accessKeyId ? key.secretAccessKey : undefined),
      log,
    });
    let port = options.awsEndpointPort ?? 4566;
    const registryHost = (r: string) => `${LOCAL_ACCOUNT_ID}.dkr.ecr.${r}.localhost:${port}`;

    const states: DurableStates = (name, initial) => new JsonFileDurable(stateDir, name, initial);
    const elbv2 = createElbv2Service(states, {
      health: (arn) => loadBalancer.registry.health(arn),
      settled: () => loadBalancer.settled(),
    });
    const cloudwatch = createCloudWatchService(states, Date.now, new MetricLogFile(stateDir));
    const loadBalancer = new LoadBalancer(elbv2.model, log, cloudwatch.metricSink);
    const blobs = new BlobStore(stateDir);
    const ssm = createSsmService(states);
    const scalableResources = new LocalScalableResources();
    const autoscaling = createApplicationAutoScalingService(states, cloudwatch, scalableResources, {
      ...AWS_ALARM_SETTINGS,
      ...options.autoscalingAlarms,
    });
    const secrets = createSecretsManagerService(states);

    wire.registerService(elbv2.definition);
    wire.registerService(ssm.definition);
    wire.registerService(secrets.definition);
    wire.registerService(cloudwatch.definition);
    wire.registerService(autoscaling.definition);
    wire.registerService(createS3Service(states, stateDir).definition);
    wire.registerHttpRoute("/_localregion/health", (_req, res) => sendJson(res, 200, { status: "running" }));
    wire.registerHttpRoute(BLOB_ROUTE, (req, res) => serveBlob(req, res, blobs));

    port = await wire.listen(port);
    cleanups.push(() => wire.close());
    const endpoint = `http://127.0.0.1:${port}`;
    // The config file names the endpoint, so it is written once the port is known.
    const credentials = loadOrCreateCredentials(stateDir, endpoint, region);
    const ecr = createEcrService(states, blobs, { endpoint, registryHost, blobRoute: BLOB_ROUTE });
    wire.registerService(ecr.definition);
    const taskCredentials = new TaskCredentialsEndpoint(endpoint, key);
    wire.registerHttpRoute(CREDENTIALS_PREFIX, (req, res) => taskCredentials.handle(req, res));

    await loadBalancer.start(stateDir);
    cleanups.push(() => loadBalancer.stop());
    const smtp = options.smtp ?? smtpFromUrl(process.env.LOCAL_REGION_SMTP_URL);
    if (smtp) log(`region: SNS e-mail goes out over ${smtpLabel(smtp)}`);
    const sns = new SnsPlugin(log, smtp);
    const actions = new AlarmActions(cloudwatch.model, cloudwatch.durable, sns, { log });
    cleanups.push(cloudwatch.transitions.subscribe((name, transition) => actions.run(name, transition)));

    const services: RegionServices = {
      stateDir,
      accountId: LOCAL_ACCOUNT_ID,
      region,
      endpoint,
      targetGroups: new LocalTargetGroups(elbv2.model, elbv2.durable, loadBalancer.registry),
      listenerRules: new LocalListenerRules(elbv2.model, elbv2.durable),
      images: new LocalImageRegistry(ecr.model, blobs),
      secrets: new LocalSecretValues(ssm.model, secrets.model),
      metrics: cloudwatch.metricSink,
      alarms: new LocalAlarmStates(cloudwatch.model),
      taskCredentials,
      scalableResources,
      durable: states,
      registerService: (service) => wire.registerService(service),
      registerHttpRoute: (prefix, handler) => wire.registerHttpRoute(prefix, handler),
    };
    for (const plugin of [sns, ...(options.plugins ?? [])]) {
      await plugin.start(services);
      cleanups.push(() => plugin.stop());
    }
    // Evaluated once SNS is up, so that the first transitions' actions find their topics.
    const alarms = new AlarmEvaluator(cloudwatch.model, cloudwatch.durable, {
      log,
      onTransition: (name, transition) => cloudwatch.transitions.announce(name, transition),
    });
    alarms.start();
    cleanups.push(() => alarms.stop());
    const scaling = new ScalingRunner(
      autoscaling.model,
      autoscaling.durable,
      cloudwatch.model,
      scalableResources,
      {
        log,
      },
    );
    scaling.start();
    cleanups.push(() => scaling.stop());
    return {
      endpoint,
      port,
      region,
      accountId: LOCAL_ACCOUNT_ID,
      stateDir,
      credentials,
      settled: () => loadBalancer.settled(),
      listenerFailures: () => loadBalancer.failures(),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function serveBlob(req: IncomingMessage, res: ServerResponse, blobs: BlobStore): void {
  const digest = (req.url ?? "").split("?")[0]!.slice(BLOB_ROUTE.length).replace(/%3A/gi, ":");
  if ((req.method !== "GET" && req.method !== "HEAD") || !isDigest(digest) || !blobs.has(digest)) {
    sendJson(res, 404, { message: "layer not found" });
    return;
  }
  res.writeHead(200, {
    "content-type": "application/octet-stream",
    "content-length": blobs.size(digest),
    "docker-content-digest": digest,
  });
  if (req.method === "HEAD") return void res.end();
  createReadStream(blobs.path(digest))
    .on("error", () => res.destroy())
    .pipe(res);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
