import { join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { ListTaskDefinitionsCommand } from "@aws-sdk/client-ecs";
import { EcsTestRegion, runNode, type TestApp } from "@platform/local-region/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// `ecs` against the local region, as CI runs it: a child process configured by AWS profile only
// (AWS_PROFILE + the region's shared config and credentials files, endpoint_url from the profile),
// exactly as a user would point it at AWS. One region for the file; the tests run in order and each
// starts from the state the last left.

let region: EcsTestRegion;
let web: TestApp;
let other: TestApp;
let v1Revision = "";
const SECRET = "e2e-secret-value-991";

// pipelines/ when run from source by vitest, pipelines/dist/ when run compiled: the CLI is the built one.
const PACKAGE = fileURLToPath(new URL("../../", import.meta.url));
const CLI = PACKAGE.endsWith(`dist${sep}`)
  ? join(PACKAGE, "src/ecs/cli.js")
  : join(PACKAGE, "dist/src/ecs/cli.js");

beforeAll(async () => {
  region = await EcsTestRegion.start({ taskPorts: { from: 44500, to: 44599 } });
  await region.createEdge();
  web = await region.createApp("web-qa", "qa.localhost", 10);
  other = await region.createApp("other-qa", "other.qa.localhost", 20);
  for (const app of [web, other]) {
    await region.pushImage(app, "v1");
    await region.pushImage(app, "v2");
  }
  await region.pushImage(web, "crash", { CRASH: "1" });
  await region.pushImage(web, "slow", { SLOW: "1" });
  [v1Revision] = await Promise.all([
    firstRevision(web, await region.pushImage(web, "v1-first")),
    firstRevision(other, await region.pushImage(other, "v1-first")),
  ]);
}, 90_000);

afterAll(async () => {
  await region?.region.cleanup();
}, 60_000);

/** The service on its first revision (a secret-looking variable in it), deployed by ECS itself, serving. */
async function firstRevision(app: TestApp, image: string): Promise<string> {
  const revision = await region.registerApp(app, image, { environment: { DB_PASSWORD: SECRET } });
  await region.createService(app, revision);
  await region.steady(app);
  return revision;
}

/** Runs `ecs <args>` as a child process pointed at the region by profile only; killed by PID after `limitMs`. */
function runCli(args: string[], limitMs = 120_000) {
  const env = { PATH: process.env.PATH, HOME: region.region.stateDir, CI: "true", ...region.region.awsEnv() };
  return runNode([CLI, ...args], { env, limitMs });
}

async function revisionCount(family: string): Promise<number> {
  const out = await region.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family }));
  return out.taskDefinitionArns?.length ?? 0;
}

describe("ecs deploy against the local region", () => {
  it("refuses an image that was never pushed, before anything changes", async () => {
    const before = await region.describeService(web);
    const revisions = await revisionCount("web-qa");
    const run = await runCli(["deploy", "platform", "web-qa", "-t", "never-pushed", "--timeout", "60"]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /web-qa:never-pushed: tag "never-pushed" was never pushed to ECR repository web-qa/,
    );
    expect(await revisionCount("web-qa")).toBe(revisions);
    expect((await region.describeService(web)).taskDefinition).toBe(before.taskDefinition);
  });

  it("deploys a good image under load with zero failed requests", async () => {
    await region.steady(web);
    const load = region.load(web);
    const run = await runCli(["deploy", "platform", "web-qa", "-t", "v2", "--timeout", "120"]);
    const results = await load.stop();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Deployed .*web-qa:2 to platform\/web-qa in \d+s/);
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    expect(results.at(-1)?.body).toBe("v2");
    expect((await region.get(web, "/version")).body).toBe("v2");
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  }, 150_000);

  it("rolls a crashing image back on its own and prints why it crashed", async () => {
    await region.steady(web);
    const serving = (await region.describeService(web)).taskDefinition;
    const load = region.load(web);
    const run = await runCli(["deploy", "platform", "web-qa", "-t", "crash", "--timeout", "120"]);
    const results = await load.stop();
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/FAILED: .*rolled back to .*web-qa:2/);
    expect(run.stdout).toMatch(/exit code 3/);
    expect(run.stdout).toMatch(/fatal: cannot open config \/etc\/app.conf/);
    expect((await region.describeService(web)).taskDefinition).toBe(serving);
    expect(results.filter((r) => r.status !== 200 || r.body !== "v2")).toEqual([]);
  }, 150_000);

  it("rolls back when the deployment does not finish within --timeout", async () => {
    const serving = (await region.describeService(web)).taskDefinition;
    const run = await runCli(["deploy", "platform", "web-qa", "-t", "slow", "--timeout", "15"]);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/FAILED: no verdict after 15s/);
    expect((await region.describeService(web)).taskDefinition).toBe(serving);
    expect((await region.get(web, "/version")).body).toBe("v2");
  }, 150_000);

  it("rolls back to exactly the revision that served before the last good deploy", async () => {
    const run = await runCli(["rollback", "platform", "web-qa", "--timeout", "120"]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect((await region.describeService(web)).taskDefinition).toBe(v1Revision);
    expect((await region.get(web, "/version")).body).toBe("v1-first");
  }, 150_000);

  it("deploys two services in parallel", async () => {
    await Promise.all([region.steady(web), region.steady(other)]);
    const runs = await Promise.all([
      runCli(["deploy", "platform", "web-qa", "-t", "v1", "--timeout", "120"]),
      runCli(["deploy", "platform", "other-qa", "-t", "v2", "--timeout", "120"]),
    ]);
    expect(
      runs.map((r) => r.code),
      runs.map((r) => r.stdout + r.stderr).join("\n"),
    ).toEqual([0, 0]);
    expect((await region.get(web, "/version")).body).toBe("v1");
    expect((await region.get(other, "/version")).body).toBe("v2");
  }, 150_000);
});
