#!/usr/bin/env node
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { APP_NAMES } from "@platform/env";
import { PROBES } from "./verify.js";
import { verifyEndpoint } from "./verify-endpoint.js";

// The pipeline's verification of one app, run by `ecs deploy --test-command` while a blue/green
// deployment waits with green on the test listener (TEST_URL, set by the tool). Exit 0 lets the
// deployment continue to production; anything else rolls it back at the hook.
//
//   verify-green --app api --host qa.example.com --commit <sha> --digest sha256:... --tag <tag>

const USAGE =
  "usage: verify-green --app api|media-server --host HOST --commit SHA --digest sha256:... --tag TAG";

/** Resolves when green serves the expected version; rejects with what it got wrong. */
export async function verifyGreen(
  args: string[],
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
  intervalMs = 1000,
): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      app: { type: "string" },
      host: { type: "string" },
      commit: { type: "string" },
      digest: { type: "string" },
      tag: { type: "string" },
    },
    strict: true,
  });
  const { app, host, commit, digest, tag } = values;
  const baseUrl = env.TEST_URL;
  if (!app || !host || !commit || !digest || !tag) throw new UsageError(USAGE);
  if (!(APP_NAMES as readonly string[]).includes(app))
    throw new UsageError(`--app must be one of ${APP_NAMES.join(", ")}; got ${JSON.stringify(app)}`);
  if (!baseUrl)
    throw new UsageError("TEST_URL is not set: ecs deploy --test-command sets it to the test listener");
  const rounds = await verifyEndpoint({
    baseUrl,
    host,
    probes: PROBES.filter((p) => p.app === app),
    expected: { commit, images: { [app]: { digest, tag } } },
    requiredRounds: 3,
    maxRounds: 20,
    intervalMs,
    log,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
  log(`green ${app} serves commit ${commit.slice(0, 12)} on the test listener (${rounds} rounds)`);
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
