import type { ECRClient } from "@aws-sdk/client-ecr";
import type { AppName, PlatformSpec, SecretLocator } from "@platform/env";
import type { BuiltAppImage } from "../image/build-app.js";
import type { Target } from "../image/target.js";
import type { CiReporter } from "./ci.js";
import type { Notify } from "./notices/events.js";

/** Runs a program (argv, never a shell string), streaming its output lines to the log. */
export type ProgramRunner = (
  command: string,
  args: string[],
  options?: { env?: NodeJS.ProcessEnv },
) => Promise<void>;

/** Everything a stage needs from the outside world; the tests hand in their own. */
export interface PipelineContext {
  repoRoot: string;
  spec: PlatformSpec;
  target: Target;
  /** The apps this run ships, in deploy order. */
  apps: AppName[];
  log: (line: string) => void;
  ci: CiReporter;
  /** The test stage's command, e.g. ["npm", "test"]. */
  testCommand: string[];
  /** An explicit tag instead of the commit-derived default. */
  tag?: string;
  ecr: () => ECRClient;
  /** Where the target keeps each secret (describe calls only: the pipeline reads no secret value). */
  secretLocator: () => SecretLocator;
  run: ProgramRunner;
  /** Environment for child AWS tools (the ecs CLI) so they reach the same target. */
  awsEnv: () => NodeJS.ProcessEnv;
  deployTimeoutSeconds: number;
  /** A person approved the release to prod (--approve; in CI the server's own gate stands before the job). */
  approved: boolean;
  verify: VerifySettings;
  /** Tells the team (qa ready, prod changed, a stage failed); undefined = nobody is told (--no-notify). */
  notify?: Notify;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export interface VerifySettings {
  /** Where the load balancer listens per environment, and the Host header that selects the environment. */
  endpoint: (env: "qa" | "prod") => { baseUrl: string; host: string };
  /** The test listener, where a blue/green service's new version is verified before users reach it. */
  testEndpoint: (env: "qa" | "prod") => { baseUrl: string; host: string };
  requiredRounds: number;
  maxRounds: number;
  intervalMs: number;
}

/** What lives only inside one run: the built images, before they are pushed. */
export interface RunMemory {
  built: Map<string, BuiltAppImage>;
}
