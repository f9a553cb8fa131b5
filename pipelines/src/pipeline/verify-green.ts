#!/usr/bin/env node
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  APP_NAMES,
  type AppName,
  ENVIRONMENT_NAMES,
  type EnvironmentName,
  type PlatformSpec,
} from "@platform/env";
import { loadCheckout } from "../image/repo-root.js";
import { functionalCheck } from "./checks/functional.js";
import { PROBES } from "./verify.js";
import { verifyEndpoint } from "./verify-endpoint.js";

// The pipeline's verification of one app, run by `ecs deploy --test-command` while a blue/green
// deployment waits with green on the test listener (TEST_URL, set by the tool): the version rounds,
// then the app's functional check (a transcoding job, WebRTC frames). Exit 0 lets the deployment
// continue to production; anything else rolls it back at the hook.
//
//   verify-green --app api --env qa --host qa.example.com --commit <sha> --digest sha256:... --tag <tag>

const USAGE =
  "usage: verify-green --app api|media-server --env qa|prod --host HOST --commit SHA --digest sha256:... --tag TAG";

export interface GreenDependencies {
  functional: typeof functionalCheck;
  /** The checkout's spec (PLATFORM_SPEC or env/platform.yaml): it names the API key's secret. */
  spec: () => PlatformSpec;
}

const REAL: GreenDependencies = { functional: functionalCheck, spec: () => loadCheckout().spec };

/** Resolves when green serves the expected version and does its job; rejects with what it got wrong. */
export async function verifyGreen(
  args: string[],
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
  intervalMs = 1000,
  deps: GreenDependencies = REAL,
): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      app: { type: "string" },
      env: { type: "string" },
      host: { type: "string" },
      commit: { type: "string" },
      digest: { type: "string" },
      tag: { type: "string" },
    },
    strict: true,
  });
  const { app, env: environment, host, commit, digest, tag } = values;
  const baseUrl = env.TEST_URL;
  if (!app || !environment || !host || !commit || !digest || !tag) throw new UsageError(USAGE);
  if (!(APP_NAMES as readonly string[]).includes(app))
    throw new UsageError(`--app must be one of ${APP_NAMES.join(", ")}; got ${JSON.stringify(app)}`);
  if (!(ENVIRONMENT_NAMES as readonly string[]).includes(environment))
    throw new UsageError(
      `--env must be one of ${ENVIRONMENT_NAMES.join(", ")}; got ${JSON.stringify(environment)}`,
    );
  if (!baseUrl)
    throw new UsageError("TEST_URL is not set: ecs deploy --test-command sets it to the test listener");
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  const rounds = await verifyEndpoint({
    baseUrl,
    host,
    probes: PROBES.filter((p) => p.app === app),
    expected: { commit, images: { [app]: { digest, tag } } },
    requiredRounds: 3,
    maxRounds: 20,
    intervalMs,
    log,
    sleep,
  });
  log(`green ${app} serves commit ${commit.slice(0, 12)} on the test listener (${rounds} rounds)`);
  const measured = await deps.functional(app as AppName, {
    spec: deps.spec(),
    env: environment as EnvironmentName,
    endpoint: { baseUrl, host },
    commit,
    awsEnv: env,
    log,
    now: Date.now,
    sleep,
  });
  log(`green ${measured} on the test listener`);
}

export class UsageError extends Error {}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  verifyGreen(process.argv.slice(2), process.env, (line) => console.log(line)).then(
    () => process.exit(0),
    (error: Error) => {
      console.error(`verify-green: ${error.message}`);
      // parseArgs refuses unknown options with a TypeError: bad usage too.
      process.exit(error instanceof UsageError || error instanceof TypeError ? 3 : 1);
    },
  );
}
