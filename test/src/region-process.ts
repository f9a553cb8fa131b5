import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ECRClient } from "@aws-sdk/client-ecr";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { fromIni } from "@aws-sdk/credential-provider-ini";
import { exited, killByPid, waitFor, waitForOutput } from "@platform/local-region/testing";
import { findRepoRoot } from "@platform/pipelines/image/repo-root";
import { type SuiteName, type SuitePorts, suitePorts } from "./ports.js";
import { type SpecOverrides, specWithPorts } from "./spec-copy.js";

// `npm start` as a user runs it (node pipelines/dist/src/local/start.js), on a spec copy with the
// suite's own ports and a temporary state folder; stopped by its PID (SIGTERM: it drains and stops
// its tasks, then itself), SIGKILL only if it does not finish in time.

export const REPO_ROOT = findRepoRoot(import.meta.dirname);
export const CLUSTER = "platform";
export const SERVICES = ["api-qa", "media-server-qa", "api-prod", "media-server-prod"] as const;

const START_SCRIPT = join(REPO_ROOT, "pipelines/dist/src/local/start.js");
const UP_LINE = /The platform is up/;

export interface RegionClients {
  ecs: ECSClient;
  ecr: ECRClient;
  elb: ElasticLoadBalancingV2Client;
  logs: CloudWatchLogsClient;
  cloudwatch: CloudWatchClient;
}

export class LocalRegionProcess {
  private output = "";

  private constructor(
    readonly ports: SuitePorts,
    readonly dir: string,
    private child: ChildProcess,
    /** PLATFORM_SPEC + LOCAL_REGION_STATE_DIR: what every platform tool needs to find this region. */
    readonly env: NodeJS.ProcessEnv,
  ) {
    this.keepOutput(child);
  }

  private keepOutput(child: ChildProcess): void {
    const keep = (chunk: Buffer) => {
      this.output += chunk.toString();
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
  }

  /** `overrides`: the suite's changes to the spec (a service's deployment, the bake cap). */
  static async start(suite: SuiteName, overrides: SpecOverrides = {}): Promise<LocalRegionProcess> {
    const ports = await suitePorts(suite);
    const dir = await mkdtemp(join(tmpdir(), `e2e-${suite}-`));
    const specText = await readFile(join(REPO_ROOT, "env", "platform.yaml"), "utf8");
    await writeFile(join(dir, "platform.yaml"), specWithPorts(specText, ports, overrides));
    const env = {
      ...withoutAwsConfiguration(process.env),
      PLATFORM_SPEC: join(dir, "platform.yaml"),
      LOCAL_REGION_STATE_DIR: join(dir, "region"),
    };
    const region = new LocalRegionProcess(ports, dir, spawnStart(env), env);
    try {
      await region.waitUntilUp();
    } catch (error) {
      await region.stop();
      throw error;
    }
    return region;
  }

  private async waitUntilUp(): Promise<void> {
    await waitForOutput(this.child, () => this.output, UP_LINE, 240_000);
    await this.waitUntilSteady(SERVICES, 120_000);
  }

  /** The region's PID (of `npm start`'s node process, which runs the region in itself). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGKILL to the region's process alone, as a crash would: its tasks' processes are left behind. */
  async kill9(): Promise<void> {
    killByPid(this.child, "SIGKILL");
    if (!(await exited(this.child, 10_000)))
      throw new Error(`the region (PID ${this.child.pid}) survived SIGKILL`);
  }

  /** `npm start` again on the same spec copy and state folder, until the platform is up and steady. */
  async restart(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null)
      throw new Error("the region is still running: kill9() or stop() it first");
    this.output += "\n--- restart ---\n";
    this.child = spawnStart(this.env);
    this.keepOutput(this.child);
    await this.waitUntilUp();
  }

  get stateDir(): string {
    return join(this.dir, "region");
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.ports.aws}`;
  }

  /** The generated certificate the HTTPS listener serves (localhost, *.localhost, 127.0.0.1). */
  get certificate(): string {
    return readFileSync(join(this.stateDir, "tls", "localhost.crt"), "utf8");
  }

  apiKeys(): { qa: string; prod: string } {
    return JSON.parse(readFileSync(join(this.stateDir, "api-keys.json"), "utf8"));
  }

  /** What `npm start` printed so far (for failure messages). */
  log(): string {
    return this.output;
  }

  /** The usual AWS configuration pointing a tool (ecs CLI, AWS CLI, SDK) at this region. */
  awsEnv(): NodeJS.ProcessEnv {
    return {
      ...this.env,
      AWS_PROFILE: "local",
      AWS_SHARED_CREDENTIALS_FILE: join(this.stateDir, "credentials"),
      AWS_CONFIG_FILE: join(this.stateDir, "config"),
      AWS_ENDPOINT_URL: this.endpoint,
      CI: "true",
    };
  }

  private clientsCache: RegionClients | undefined;

  /** An AWS SDK client's settings for this region. */
  clientConfig() {
    return {
      endpoint: this.endpoint,
      region: "eu-west-1",
      credentials: fromIni({
        profile: "local",
        filepath: join(this.stateDir, "credentials"),
        configFilepath: join(this.stateDir, "config"),
      }),
    };
  }

  clients(): RegionClients {
    if (!this.clientsCache) {
      const config = this.clientConfig();
      this.clientsCache = {
        ecs: new ECSClient(config),
        ecr: new ECRClient(config),
        elb: new ElasticLoadBalancingV2Client(config),
        logs: new CloudWatchLogsClient(config),
        cloudwatch: new CloudWatchClient(config),
      };
    }
    return this.clientsCache;
  }

  /** Until each service has one deployment, COMPLETED, with its desired count running. */
  async waitUntilSteady(services: readonly string[], timeoutMs: number): Promise<void> {
    await waitFor(
      `${services.join(", ")} to be steady`,
      async () => {
        const out = await this.clients().ecs.send(
          new DescribeServicesCommand({ cluster: CLUSTER, services: [...services] }),
        );
        const steady = (out.services ?? []).filter(
          (s) =>
            s.deployments?.length === 1 &&
            s.deployments[0]?.rolloutState === "COMPLETED" &&
            s.runningCount === s.desiredCount,
        );
        return steady.length === services.length;
      },
      timeoutMs,
      500,
    );
  }

  async stop(): Promise<void> {
    this.clientsCache?.ecs.destroy();
    this.clientsCache?.ecr.destroy();
    this.clientsCache?.elb.destroy();
    this.clientsCache?.logs.destroy();
    this.clientsCache?.cloudwatch.destroy();
    killByPid(this.child, "SIGTERM");
    // The region drains every task (up to the deregistration delay) before it exits.
    if (!(await exited(this.child, 120_000))) {
      killByPid(this.child, "SIGKILL");
      await exited(this.child, 10_000);
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

function spawnStart(env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [START_SCRIPT], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
}

/** A developer's AWS settings must not leak into the suites (nor point the tools at real AWS). */
function withoutAwsConfiguration(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (!/^AWS_/.test(name) && name !== "PLATFORM_TARGET") clean[name] = value;
  }
  return clean;
}
