import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { STAGE_NAMES } from "../../src/pipeline/stages.js";

// The CI definitions can't run here; they are parsed and held to the pipeline's own rules: every
// stage runs exactly once, in order, through `npm run pipeline`; prod waits for qa and an approval;
// deploys of one environment never overlap; AWS access is an OIDC role; nothing secret is inline.

const repoRoot = join(import.meta.dirname, "..", "..", "..");
const read = (path: string) => readFileSync(join(repoRoot, path), "utf8");

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  env?: Record<string, string>;
  environment?: string | { name: string };
  concurrency?: { group: string; "cancel-in-progress": boolean };
  container?: string;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const needs = (job: Job) =>
  job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
const envName = (job: Job) => (typeof job.environment === "string" ? job.environment : job.environment?.name);

/** The stages a `npm run pipeline -- --only a,b` line runs. */
function stagesOf(run: string | undefined): string[] {
  const match = /npm run pipeline -- .*--only ([\w,-]+)/s.exec(run ?? "");
  return match ? match[1]!.split(",") : [];
}

/** Jobs in dependency order (each after all it needs). */
function topological(jobs: Record<string, Job>): string[] {
  const order: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (order.includes(name)) return;
    if (path.includes(name)) throw new Error(`cycle: ${[...path, name].join(" → ")}`);
    for (const dep of needs(jobs[name]!)) visit(dep, [...path, name]);
    order.push(name);
  };
  for (const name of Object.keys(jobs)) visit(name, []);
  return order;
}

function noInlineSecrets(text: string): void {
  expect(text).not.toMatch(/AKIA[0-9A-Z]{16}/);
  expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/i);
  expect(text).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
  expect(text).not.toMatch(/password\s*[:=]/i);
}

describe(".github/workflows/ci.yml", () => {
  const text = read(".github/workflows/ci.yml");
  const workflow = parse(text) as Workflow;

  it("runs npm test on pull requests, read-only", () => {
    expect(Object.keys(workflow.on)).toContain("pull_request");
    const runs = Object.values(workflow.jobs).flatMap((j) => j.steps.map((s) => s.run));
    expect(runs).toContain("npm test");
    expect(workflow.permissions).toEqual({ contents: "read" });
    noInlineSecrets(text);
  });

  it("runs on Debian 12 with Node 24 LTS, the runtime the project is written for", () => {
    for (const job of Object.values(workflow.jobs)) expect(job.container).toBe("node:24-bookworm");
  });
});

describe(".github/workflows/deploy.yml", () => {
  const text = read(".github/workflows/deploy.yml");
  const workflow = parse(text) as Workflow;
  const jobs = workflow.jobs;
  const order = topological(jobs);

  it("deploys on pushes to main with an OIDC token and nothing more", () => {
    expect(workflow.on.push).toEqual({ branches: ["main"] });
    expect(workflow.permissions).toEqual({ contents: "read", "id-token": "write" });
  });

  it("runs every pipeline stage exactly once, in the pipeline's order, through npm run pipeline", () => {
    const stages = order.flatMap((name) => jobs[name]!.steps.flatMap((s) => stagesOf(s.run)));
    expect(stages).toEqual([...STAGE_NAMES]);
  });

  it("chains the jobs: each needs the one before it", () => {
    for (let i = 1; i < order.length; i++) expect(needs(jobs[order[i]!]!)).toContain(order[i - 1]);
  });

  it("passes the pipeline state from job to job as an artifact", () => {
    for (let i = 1; i < order.length; i++) {
      const job = jobs[order[i]!]!;
      const downloaded = job.steps.find((s) => s.uses?.startsWith("actions/download-artifact@"))?.with?.name;
      const previous = jobs[order[i - 1]!]!.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))
        ?.with?.name;
      expect(downloaded, `${order[i]} downloads the state of ${order[i - 1]}`).toBe(previous);
    }
  });

  it("runs qa stages in the qa environment and prod stages in the prod environment (approval)", () => {
    for (const [name, job] of Object.entries(jobs)) {
      const stages = job.steps.flatMap((s) => stagesOf(s.run));
      if (stages.some((s) => s.endsWith("-prod") || s === "promote")) expect(envName(job), name).toBe("prod");
      else if (stages.some((s) => s.endsWith("-qa") || s === "push")) expect(envName(job), name).toBe("qa");
    }
  });

  it("never overlaps two deploys of one environment, and never cancels one half-way", () => {
    const groups = new Map<string, string>();
    for (const [name, job] of Object.entries(jobs)) {
      const env = envName(job);
      if (!env) continue;
      expect(job.concurrency, `${name} has a concurrency group`).toBeDefined();
      expect(job.concurrency!["cancel-in-progress"]).toBe(false);
      const stages = job.steps.flatMap((s) => stagesOf(s.run));
      if (stages.some((s) => s.startsWith("deploy-") || s.startsWith("verify-"))) {
        groups.set(name, job.concurrency!.group);
        expect(job.concurrency!.group).toContain(env);
      }
    }
    expect(groups.get("deploy-qa")).toBe(groups.get("verify-qa"));
    expect(groups.get("deploy-qa")).not.toBe(groups.get("promote-prod"));
  });

  it("gets AWS credentials only from an OIDC role in jobs that touch AWS, with no secret inline", () => {
    for (const [name, job] of Object.entries(jobs)) {
      const stages = job.steps.flatMap((s) => stagesOf(s.run));
      const credentials = job.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
      const touchesAws = stages.some((s) => ["push", "deploy-qa", "promote", "deploy-prod"].includes(s));
      expect(Boolean(credentials), `${name} configures AWS credentials`).toBe(touchesAws);
      if (credentials) {
        expect(Object.keys(credentials.with ?? {}).sort()).toEqual(["aws-region", "role-to-assume"]);
        expect(String(credentials.with!["role-to-assume"])).toMatch(
          /^\$\{\{ vars\.AWS_DEPLOY_ROLE_ARN_(QA|PROD) \}\}$/,
        );
      }
    }
    expect(text).not.toMatch(/\$\{\{\s*secrets\./);
    noInlineSecrets(text);
  });

  it("targets AWS in every job but the tests, which run against the local region", () => {
    for (const [name, job] of Object.entries(jobs)) {
      const stages = job.steps.flatMap((s) => stagesOf(s.run));
      expect(job.env?.PLATFORM_TARGET, name).toBe(stages.includes("test") ? undefined : "aws");
    }
    expect((workflow as { env?: Record<string, string> }).env?.PLATFORM_TARGET).toBeUndefined();
  });

  it("hands prod the digests qa verified (--expect)", () => {
    const prod = jobs["promote-prod"]!;
    const run = prod.steps.map((s) => s.run ?? "").join("\n");
    expect(run).toContain('--expect "api=$EXPECTED_API_DIGEST,media-server=$EXPECTED_MEDIA_SERVER_DIGEST"');
    const env = prod.steps.find((s) => s.env)?.env ?? {};
    expect(env.EXPECTED_API_DIGEST).toBe(`\${{ needs.build-push.outputs.api-digest }}`);
  });
});

describe(".teamcity/settings.kts", () => {
  const text = read(".teamcity/settings.kts");
  const objects = [...text.matchAll(/^val (\w+) = BuildType \{([\s\S]*?)^\}/gm)].map((m) => ({
    id: m[1]!,
    body: m[2]!,
  }));
  const byName = new Map(objects.map((o) => [/name = "([^"]+)"/.exec(o.body)![1]!, o]));

  it("defines the five build configurations of the brief, registered in the project", () => {
    expect([...byName.keys()]).toEqual([
      "Test",
      "Build & Push",
      "Deploy QA",
      "Verify QA",
      "Promote & Deploy Prod",
    ]);
    for (const { id, body } of objects) {
      expect(body).toContain(`id("Platform_${id}")`);
      expect(text).toContain(`buildType(${id})`);
    }
    // The project block lists them, so it must come after their declarations.
    expect(text.indexOf("\nproject {")).toBeGreaterThan(text.lastIndexOf("= BuildType {"));
  });

  it("chains them with snapshot dependencies and passes the state file as an artifact", () => {
    const chain = objects.map((o) => /dependsOn\((\w+)\)/.exec(o.body)?.[1]);
    expect(chain).toEqual([undefined, ...objects.slice(0, -1).map((o) => o.id)]);
    expect(text).toMatch(
      /fun BuildType\.dependsOn[\s\S]*snapshot \{[\s\S]*artifacts \{\s*artifactRules = STATE_FROM_DEPENDENCY/,
    );
    for (const { body } of objects) expect(body).toContain("artifactRules = STATE_ARTIFACT");
  });

  it("runs every pipeline stage once, in order, and checks the digests after Build & Push", () => {
    const stages = objects.flatMap((o) =>
      [...o.body.matchAll(/pipeline\("([\w,-]+)"/g)].flatMap((m) => m[1]!.split(",")),
    );
    expect(stages).toEqual([...STAGE_NAMES]);
    for (const o of objects.slice(2)) {
      expect(o.body).toContain('depParamRefs["api-digest"]');
      expect(o.body).toContain("--expect api=%api.digest%,media-server=%media-server.digest%");
    }
  });

  it("targets AWS from Build & Push on, and runs Test against the local region", () => {
    expect(byName.get("Test")!.body).not.toContain("targetAws()");
    for (const o of objects.slice(1)) expect(o.body).toContain("targetAws()");
    expect(text).toMatch(
      /fun BuildType\.targetAws\(\) \{\s*params \{\s*param\("env\.PLATFORM_TARGET", "aws"\)/,
    );
  });

  it("requires an approval before prod, and one deploy at a time", () => {
    const prod = byName.get("Promote & Deploy Prod")!.body;
    expect(prod).toMatch(/approval \{\s*approvalRules = "group:\w+:1"/);
    for (const name of ["Deploy QA", "Verify QA", "Promote & Deploy Prod"]) {
      expect(byName.get(name)!.body).toContain("maxRunningBuilds = 1");
    }
    noInlineSecrets(text);
  });
});
