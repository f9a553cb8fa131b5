import { ListTaskDefinitionsCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, E2eRegion } from "./e2e-region.js";

// `ecs` against the local region, as CI runs it: a child process configured by AWS profile only.
// One region for the file; the tests run in order and each starts from the state the last left.

let region: E2eRegion;
let web: App;
let other: App;
let v1Revision = "";
const SECRET = "e2e-secret-value-991";

beforeAll(async () => {
  region = await E2eRegion.start({ from: 44500, to: 44599 });
  web = await region.createApp("web-qa", "qa.localhost", 10);
  other = await region.createApp("other-qa", "other.qa.localhost", 20);
  for (const app of [web, other]) {
    await region.pushImage(app, "v1");
    await region.pushImage(app, "v2");
  }
  await region.pushImage(web, "crash", { CRASH: "1" });
  await region.pushImage(web, "slow", { SLOW: "1" });
  [v1Revision] = await Promise.all([
    region.createService(web, await region.pushImage(web, "v1-first")),
    region.createService(other, await region.pushImage(other, "v1-first")),
  ]);
}, 90_000);

afterAll(async () => {
  await region?.stop();
}, 60_000);

async function revisionCount(family: string): Promise<number> {
  const out = await region.ecs().send(new ListTaskDefinitionsCommand({ familyPrefix: family }));
  return out.taskDefinitionArns?.length ?? 0;
}

describe("ecs deploy against the local region", () => {
  it("refuses an image that was never pushed, before anything changes", async () => {
    const before = await region.service(web);
    const revisions = await revisionCount("web-qa");
    const run = await region.runCli([
      "deploy",
      "platform",
      "web-qa",
      "-t",
      "never-pushed",
      "--timeout",
      "60",
    ]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /web-qa:never-pushed: tag "never-pushed" was never pushed to ECR repository web-qa/,
    );
    expect(await revisionCount("web-qa")).toBe(revisions);
    expect((await region.service(web)).taskDefinition).toBe(before.taskDefinition);
  });

  it("deploys a good image under load with zero failed requests", async () => {
    await region.steady(web);
    const load = region.load(web);
    const run = await region.runCli(["deploy", "platform", "web-qa", "-t", "v2", "--timeout", "120"]);
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
    const serving = (await region.service(web)).taskDefinition;
    const load = region.load(web);
    const run = await region.runCli(["deploy", "platform", "web-qa", "-t", "crash", "--timeout", "120"]);
    const results = await load.stop();
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/FAILED: .*rolled back to .*web-qa:2/);
    expect(run.stdout).toMatch(/exit code 3/);
    expect(run.stdout).toMatch(/fatal: cannot open config \/etc\/app.conf/);
    expect((await region.service(web)).taskDefinition).toBe(serving);
    expect(results.filter((r) => r.status !== 200 || r.body !== "v2")).toEqual([]);
  }, 150_000);

  it("rolls back when the deployment does not finish within --timeout", async () => {
    const serving = (await region.service(web)).taskDefinition;
    const run = await region.runCli(["deploy", "platform", "web-qa", "-t", "slow", "--timeout", "15"]);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/FAILED: no verdict after 15s/);
    expect((await region.service(web)).taskDefinition).toBe(serving);
    expect((await region.get(web, "/version")).body).toBe("v2");
  }, 150_000);

  it("rolls back to exactly the revision that served before the last good deploy", async () => {
    const run = await region.runCli(["rollback", "platform", "web-qa", "--timeout", "120"]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect((await region.service(web)).taskDefinition).toBe(v1Revision);
    expect((await region.get(web, "/version")).body).toBe("v1-first");
  }, 150_000);

  it("deploys two services in parallel", async () => {
    await Promise.all([region.steady(web), region.steady(other)]);
    const runs = await Promise.all([
      region.runCli(["deploy", "platform", "web-qa", "-t", "v1", "--timeout", "120"]),
      region.runCli(["deploy", "platform", "other-qa", "-t", "v2", "--timeout", "120"]),
    ]);
    expect(
      runs.map((r) => r.code),
      runs.map((r) => r.stdout + r.stderr).join("\n"),
    ).toEqual([0, 0]);
    expect((await region.get(web, "/version")).body).toBe("v1");
    expect((await region.get(other, "/version")).body).toBe("v2");
  }, 150_000);
});
