import { rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type AppName, loadSpec } from "@platform/env";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { splitShellWords } from "../../src/ecs/model/shell-words.js";
import { ciReporter } from "../../src/pipeline/ci.js";
import type { PipelineContext } from "../../src/pipeline/context.js";
import { planStages } from "../../src/pipeline/plan.js";
import { runPipeline } from "../../src/pipeline/runner.js";
import { type FunctionalCheck, stageActions } from "../../src/pipeline/stage-actions.js";
import { emptyState } from "../../src/pipeline/state-file.js";
import { verifyGreen } from "../../src/pipeline/verify-green.js";
import { fakeEcr } from "../image/fake-ecr.js";
import { commitAll, fixtureRepo } from "../image/fixture.js";

// The real stage actions on a one-app repository (the fixture app, named "api"): a real build,
// push and promote against an in-memory ECR, the ecs CLI call recorded, and verification over real
// HTTP against a stand-in load balancer that routes by Host header and serves what was "deployed".
// The spec's api services shift traffic, so each deploy carries the green check, which the stand-in
// `ecs deploy` runs (verify-green) against a stand-in test listener before it "moves production".

const spec = loadSpec(join(import.meta.dirname, "..", "..", "..", "env", "platform.yaml"));
let root: string;
let commit: string;
let production: Server;
let testListener: Server;
let baseUrl: string;
let testBaseUrl: string;
type Serving = Map<string, { image: string; commit: string }>;
/** What each host's "api" currently runs: set by the recorded `ecs deploy`. */
const serving: Serving = new Map();
/** What the test listener serves while a deploy waits at its hook: green. */
const servingGreen: Serving = new Map();
/** The commit green reports (a broken build reports another). */
let greenCommit: () => string;
/** Each functional check asked for (the real ones run in test/pipeline/checks/): app, env, host. */
const functionalRuns: string[] = [];
const standInFunctional: FunctionalCheck = async (app, ctx) => {
  functionalRuns.push(`${app} ${ctx.env} ${ctx.endpoint.host} ${ctx.endpoint.baseUrl}`);
  return `${app}: stand-in check passed`;
};
const actions = stageActions(standInFunctional);

function standIn(what: Serving): Server {
  return createServer((req, res) => {
    const current = what.get(req.headers.host ?? "");
    if (!current) {
      res.writeHead(503).end();
      return;
    }
    if (req.url === "/healthz") res.end("ok");
    else if (req.url === "/api/v1/version")
      res.end(JSON.stringify({ version: "3.2.1", commit: current.commit, image: current.image }));
    else res.writeHead(404).end();
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  root = await fixtureRepo("api");
  commit = commitAll(root);
  production = standIn(serving);
  testListener = standIn(servingGreen);
  baseUrl = await listen(production);
  testBaseUrl = await listen(testListener);
}, 60_000);

afterAll(async () => {
  await new Promise((r) => production.close(r));
  await new Promise((r) => testListener.close(r));
  await rm(root, { recursive: true, force: true });
});

/** `ecs deploy` as the stand-in does it: green on the test listener, its check, then production or rollback. */
async function standInDeploy(args: string[], log: (line: string) => void): Promise<void> {
  const [, , service, , , image] = args;
  const host = service === "api-qa" ? "qa.localhost" : "localhost";
  const option = (name: string) => args[args.indexOf(name) + 1];
  if (args.includes("--test-command")) {
    servingGreen.set(host, { image: image!, commit: greenCommit() });
    const words = splitShellWords(option("--test-command")!);
    expect(words[1]).toMatch(/\/pipelines\/dist\/src\/pipeline\/verify-green\.js$/);
    try {
      await verifyGreen(words.slice(2), { TEST_URL: option("--test-base-url") }, log, 10, {
        functional: standInFunctional,
        spec: () => spec,
      });
    } catch (error) {
      throw new Error(
        `ecs deploy: the test check failed, rolled back at the hook: ${(error as Error).message}`,
      );
    } finally {
      servingGreen.delete(host);
    }
  }
  serving.set(host, { image: image!, commit });
}

function context(ecr: ReturnType<typeof fakeEcr>, deploys: string[][], lines: string[]): PipelineContext {
  return {
    repoRoot: root,
    spec,
    target: {
      kind: "local",
      endpoint: "http://127.0.0.1:4566",
      region: "eu-west-1",
      stateDir: root,
      credentialsFile: "c",
      configFile: "f",
      profile: "local",
    },
    apps: ["api"] as AppName[],
    log: (line) => lines.push(line),
    ci: ciReporter({}),
    testCommand: ["true"],
    ecr: () => ecr.client,
    secretLocator: () => ({
      locate: async (ref) => `arn:test:${"ssm" in ref ? ref.ssm : ref.secretsManager}`,
    }),
    run: async (command, args) => {
      if (command !== "node" || args[1] !== "deploy") return; // tsc -b: nothing to compile here
      deploys.push(args.slice(1));
      await standInDeploy(args.slice(1), (line) => lines.push(line));
    },
    awsEnv: () => ({}),
    deployTimeoutSeconds: 60,
    approved: true,
    verify: {
      endpoint: (env) => ({ baseUrl, host: env === "qa" ? "qa.localhost" : "localhost" }),
      testEndpoint: (env) => ({ baseUrl: testBaseUrl, host: env === "qa" ? "qa.localhost" : "localhost" }),
      requiredRounds: 2,
      maxRounds: 3,
      intervalMs: 10,
    },
    now: Date.now,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
}

describe("the pipeline's stages, end to end on a fake registry", () => {
  it("builds, pushes to qa, deploys (green checked on the test listener) and verifies qa, promotes the same digest, deploys and verifies prod", async () => {
    serving.clear();
    functionalRuns.length = 0;
    greenCommit = () => commit;
    const ecr = fakeEcr({ "api-qa": {}, "api-prod": {} }, undefined, { serveBlobs: true });
    await ecr.ready;
    onTestFinished(ecr.close);
    const deploys: string[][] = [];
    const lines: string[] = [];
    const result = await runPipeline(context(ecr, deploys, lines), {
      plan: planStages({ skip: ["test"] }, new Set()),
      state: emptyState(),
      actions,
    });
    expect(result.progress.stages.filter((s) => s.status === "failed")).toEqual([]);
    expect(result.outcome).toBe("succeeded");
    const image = result.state.images.api!;
    expect(image.tag).toBe(commit.slice(0, 12));
    expect(result.state.commit).toBe(commit);
    expect(ecr.state.get("api-qa")!.tags.get(image.tag)).toBe(image.digest);
    expect(ecr.state.get("api-prod")!.tags.get(image.tag)).toBe(image.digest);
    const check = (host: string) =>
      `'node' '${root}/pipelines/dist/src/pipeline/verify-green.js' '--app' 'api' '--env' '${host === "localhost" ? "prod" : "qa"}' '--host' '${host}' '--commit' '${commit}' '--digest' '${image.digest}' '--tag' '${image.tag}'`;
    // Each environment's own settings and secret references, as the build (qa) and promote (prod) stages generated them.
    const configOptions = (env: "qa" | "prod") => {
      const service = spec.environments[env].services.api;
      return [
        ...Object.entries(service.environment).flatMap(([name, value]) => ["--env", "api", name, value]),
        ...Object.entries(service.secrets).flatMap(([name, ref]) => [
          "--secret",
          "api",
          name,
          `arn:test:${"ssm" in ref ? ref.ssm : ref.secretsManager}`,
        ]),
      ];
    };
    expect(configOptions("qa")).toContain("--secret");
    expect(result.state.runtime?.["api-prod"]?.secrets.API_ADMIN_KEY).toBe(
      "arn:test:platform/prod/api/admin-key",
    );
    expect(deploys).toEqual([
      [
        "deploy",
        "platform",
        "api-qa",
        "--image",
        "api",
        image.qa,
        "--timeout",
        "60",
        ...configOptions("qa"),
        "--test-command",
        check("qa.localhost"),
        "--test-base-url",
        testBaseUrl,
      ],
      [
        "deploy",
        "platform",
        "api-prod",
        "--image",
        "api",
        image.prod,
        "--timeout",
        "60",
        ...configOptions("prod"),
        "--test-command",
        check("localhost"),
        "--test-base-url",
        testBaseUrl,
      ],
    ]);
    expect(lines).toContain(`green api serves commit ${commit.slice(0, 12)} on the test listener (3 rounds)`);
    expect(lines).toContain("green api: stand-in check passed on the test listener");
    // Green in qa and in prod on the test listener, then qa through production's listener; verify-prod
    // keeps to read-only checks.
    expect(functionalRuns).toEqual([
      `api qa qa.localhost ${testBaseUrl}`,
      `api qa qa.localhost ${baseUrl}`,
      `api prod localhost ${testBaseUrl}`,
    ]);
    const verifyQa = result.progress.stages.find((s) => s.name === "verify-qa")!;
    expect(verifyQa.note).toContain("; api: stand-in check passed");
    expect(image.prod).toBe(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/api-prod@${image.digest}`);
  }, 60_000);

  it("stops at deploy-qa when green serves another commit on the test listener: qa never switches, nothing is promoted", async () => {
    serving.clear();
    greenCommit = () => "0123456789abcdef";
    const ecr = fakeEcr({ "api-qa": {}, "api-prod": {} });
    const lines: string[] = [];
    const result = await runPipeline(context(ecr, [], lines), {
      plan: planStages({ skip: ["test"] }, new Set()),
      state: emptyState(),
      actions,
    });
    expect(result.outcome).toBe("failed");
    const deployQa = result.progress.stages.find((s) => s.name === "deploy-qa")!;
    expect(deployQa.status).toBe("failed");
    expect(deployQa.note).toContain(`/api/v1/version: commit is 0123456789abcdef, expected ${commit}`);
    expect(serving.has("qa.localhost")).toBe(false);
    expect(result.progress.stages.find((s) => s.name === "promote")!.status).toBe("blocked");
    expect(ecr.state.get("api-prod")!.tags.size).toBe(0);
  }, 60_000);

  it("stops before prod without an approval, saying how to give it", async () => {
    serving.clear();
    greenCommit = () => commit;
    const ecr = fakeEcr({ "api-qa": {}, "api-prod": {} });
    const deploys: string[][] = [];
    const ctx = { ...context(ecr, deploys, []), approved: false };
    const result = await runPipeline(ctx, {
      plan: planStages({ skip: ["test"] }, new Set()),
      state: emptyState(),
      actions,
    });
    expect(result.outcome).toBe("failed");
    const approve = result.progress.stages.find((s) => s.name === "approve")!;
    expect(approve).toMatchObject({ status: "failed" });
    expect(approve.note).toContain("--from approve --approve");
    expect(result.progress.stages.find((s) => s.name === "verify-qa")!.status).toBe("passed");
    expect(result.progress.stages.find((s) => s.name === "promote")!.status).toBe("blocked");
    expect(deploys.map((d) => d[2])).toEqual(["api-qa"]);
    expect(ecr.state.get("api-prod")!.tags.size).toBe(0);
  }, 60_000);

  it("fails verify-qa when qa keeps serving another commit, and never promotes", async () => {
    serving.clear();
    greenCommit = () => commit;
    const ecr = fakeEcr({ "api-qa": {}, "api-prod": {} });
    const lines: string[] = [];
    const ctx = context(ecr, [], lines);
    const run = ctx.run;
    ctx.run = async (command, args, options) => {
      await run(command, args, options);
      if (args[1] === "deploy")
        serving.set("qa.localhost", { image: "api-qa:old", commit: "fedcba9876543210" });
    };
    const result = await runPipeline(ctx, {
      plan: planStages({ skip: ["test"] }, new Set()),
      state: emptyState(),
      actions,
    });
    expect(result.outcome).toBe("failed");
    const verify = result.progress.stages.find((s) => s.name === "verify-qa")!;
    expect(verify.status).toBe("failed");
    expect(verify.note).toContain(`/api/v1/version: commit is fedcba9876543210, expected ${commit}`);
    expect(result.progress.stages.find((s) => s.name === "promote")!.status).toBe("blocked");
    expect(ecr.state.get("api-prod")!.tags.size).toBe(0);
  }, 60_000);
});
