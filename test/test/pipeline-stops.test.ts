import { join } from "node:path";
import { runNode } from "@platform/local-region/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BrokenCheckout, untrackedFiles } from "../src/broken-checkout.js";
import { LbClient, type VersionInfo } from "../src/lb-client.js";
import { LocalRegionProcess, REPO_ROOT } from "../src/region-process.js";
import { filesUnder, findLeaks, type SecretValue, type Source, secretValues } from "../src/secret-leaks.js";

// Broken changes, each committed on a clean checkout and sent through `npm run pipeline -- --approve`
// against one local region: each must stop at the stage that catches it, say why, and leave prod
// serving what it served before. Whatever the runs printed or left behind holds no secret value.

let region: LocalRegionProcess;
let lb: LbClient;
let checkout: BrokenCheckout;
let secrets: SecretValue[];
const printed: Source[] = [];

type Served = Record<string, Pick<VersionInfo, "commit" | "image">>;
const HOSTS = { qa: "qa.localhost", prod: "localhost" } as const;

/** What each environment's two apps serve through the load balancer now. */
async function served(env: keyof typeof HOSTS): Promise<Served> {
  const paths = { api: "/api/v1/version", "media-server": "/media/version" };
  const out: Served = {};
  for (const [app, path] of Object.entries(paths)) {
    const { commit, image } = await lb.json<VersionInfo>({ host: HOSTS[env], path });
    out[app] = { commit, image };
  }
  return out;
}

async function pipeline(name: string, args: string[]) {
  const result = await runNode(
    [
      join(checkout.dir, "pipelines/dist/src/pipeline/cli.js"),
      "--approve",
      "--state",
      join(region.dir, `${name}.json`),
      ...args,
    ],
    { cwd: checkout.dir, env: region.env, limitMs: 600_000 },
  );
  printed.push({ where: `the ${name} run's output`, text: result.output });
  const stopped = stopLine(result.output) || "no stage failed";
  console.log(
    `${name}: exit ${result.code} in ${(result.elapsedMs / 1000).toFixed(1)} s\n  ${stopped.slice(0, 600)}`,
  );
  return result;
}

/** What qa and prod serve now: a broken change must leave both as they were. */
async function servedEverywhere(): Promise<Record<keyof typeof HOSTS, Served>> {
  return { qa: await served("qa"), prod: await served("prod") };
}

/** The line that says the run stopped, and why. */
function stopLine(output: string): string {
  return /^✗ .*$/m.exec(output)?.[0] ?? "";
}

/** The run failed, and at `stage`. */
function expectStoppedAt(result: { code: number | null; output: string }, stage: string): void {
  expect(result.code, result.output.slice(-3000)).toBe(1);
  expect(/^✗ ([\w-]+) failed/.exec(stopLine(result.output))?.[1]).toBe(stage);
}

beforeAll(async () => {
  [region, checkout] = await Promise.all([
    LocalRegionProcess.start("pipeline-stops"),
    BrokenCheckout.clone(REPO_ROOT),
  ]);
  lb = new LbClient({ port: region.ports.http });
  secrets = await secretValues(region);
}, 300_000);

afterAll(async () => {
  lb?.close();
  await region?.stop();
  await checkout?.remove();
});

describe("a broken change stops at the stage that catches it, and prod keeps its version", () => {
  it("a failing test stops the pipeline at test: nothing is built or deployed", async () => {
    const before = await servedEverywhere();
    await checkout.commitChange("env: a test that fails", "env/test/broken.test.ts", () =>
      ['import { expect, it } from "vitest";', 'it("adds", () => expect(1 + 1).toBe(3));', ""].join("\n"),
    );
    const result = await pipeline("failing-test", [
      "--skip",
      "install,lint",
      "--test-command",
      "npx vitest run --project env env/test/broken.test.ts",
    ]);
    expectStoppedAt(result, "test");
    expect(result.output).toMatch(/npx vitest run --project env env\/test\/broken\.test\.ts exited with 1/);
    expect(stopLine(result.output)).toMatch(/expected 2 to be 3/);
    expect(result.output).not.toMatch(/▶ \[\d+\/\d+\] build/);
    expect(await servedEverywhere()).toEqual(before);
  }, 300_000);

  it("an API image that crashes at start stops at deploy-qa: green never takes traffic, qa and prod keep theirs", async () => {
    const before = await servedEverywhere();
    await checkout.commitChange(
      "api: crash at start",
      "api/src/main.ts",
      (text) => `throw new Error("broken build: the API crashes before it listens");\n${text}`,
    );
    const result = await pipeline("crash-at-start", ["--skip", "install,lint,test", "--apps", "api"]);
    expectStoppedAt(result, "deploy-qa");
    // Why, in the task's own words, and quoted on the line that says the run stopped.
    expect(result.output).toMatch(/broken build: the API crashes before it listens/);
    expect(stopLine(result.output)).toMatch(
      /broken build: the API crashes before it listens|FAILED: .*circuit breaker/,
    );
    expect(await servedEverywhere()).toEqual(before);
  }, 700_000);

  it("a media server that forwards no video stops at deploy-qa: the green check counts no frames, qa and prod keep theirs", async () => {
    const before = await servedEverywhere();
    await checkout.commitChange(
      "media-server: loopback forwards no video",
      "media-server/src/media/route-runner.ts",
      (text) => {
        const forwarding = "(p) => route.sink.sendVideo(p)";
        if (!text?.includes(forwarding))
          throw new Error("route-runner.ts no longer forwards video as this test expects");
        return text.replace(forwarding, "() => undefined");
      },
    );
    const result = await pipeline("no-frames", ["--skip", "install,lint,test", "--apps", "media-server"]);
    expectStoppedAt(result, "deploy-qa");
    // The green check's own verdict, and the deploy's answer to it: roll back.
    expect(result.output).toMatch(/no frames decoded|frames stalled at \d+/);
    expect(result.output).toMatch(/roll(ed|ing)? ?back/i);
    expect(stopLine(result.output)).toMatch(/FAILED: the test check failed/);
    expect(await servedEverywhere()).toEqual(before);
  }, 700_000);

  it("no secret value is in what the runs printed or in the files they left", () => {
    expect(secrets.length).toBeGreaterThan(0);
    // The state files the runs wrote, and whatever the checkout has that git doesn't track (reports,
    // coverage, .pipeline/). The region's own folder holds the values by design: it is the secret store.
    const left = [
      ...filesUnder(region.dir).filter((f) => !f.where.startsWith("region/")),
      ...untrackedFiles(checkout.dir),
    ];
    expect(findLeaks(secrets, [...printed, ...left])).toEqual([]);
  });
});
