import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Progress } from "../../src/ecs/model/deploy-verdict.js";
import type { DeployResult } from "../../src/ecs/model/result.js";
import { Redactor } from "../../src/ecs/model/secrets.js";
import { GitHubReporter, githubEscapeData, githubEscapeProperty } from "../../src/ecs/output/github.js";
import { PlainReporter } from "../../src/ecs/output/plain.js";
import { memorySink } from "../../src/ecs/output/reporter.js";
import { outputStyle } from "../../src/ecs/output/select.js";
import { TeamCityReporter, teamcityEscape } from "../../src/ecs/output/teamcity.js";
import { TtyReporter } from "../../src/ecs/output/tty.js";

const failed: DeployResult = {
  command: "deploy",
  outcome: "rolled-back",
  exitCode: 1,
  cluster: "platform",
  service: "api-qa",
  taskDefinition: "api-qa:5",
  previousTaskDefinition: "api-qa:4",
  failure: { reason: "circuit-breaker-threshold", explanation: "3 tasks failed to start" },
  rollback: { method: "StopServiceDeployment", to: "api-qa:4", completed: true },
  stoppedTasks: [
    {
      taskArn: "arn:aws:ecs:eu-west-1:1:task/platform/abc",
      stoppedReason: "Essential container in task exited",
      containers: [{ name: "api", exitCode: 1 }],
      logs: [{ container: "api", lines: ["Error: can't connect [db]"] }],
    },
  ],
  images: [],
  changes: [],
  elapsedSeconds: 42,
};

const progress = (over: Partial<Progress> = {}): Progress => ({
  deploymentId: "ecs-svc/1",
  rolloutState: "IN_PROGRESS",
  desired: 2,
  running: 1,
  pending: 1,
  failedTasks: 0,
  targets: { initial: 1, healthy: 0, unhealthy: 0, draining: 0 },
  elapsedSeconds: 4,
  ...over,
});

describe("choosing the output", () => {
  it("--json, then GitHub Actions, then TeamCity, then a terminal, else plain lines", () => {
    expect(outputStyle(true, { GITHUB_ACTIONS: "true" }, true)).toBe("json");
    expect(outputStyle(false, { GITHUB_ACTIONS: "true", TEAMCITY_VERSION: "2025.1" }, false)).toBe("github");
    expect(outputStyle(false, { TEAMCITY_VERSION: "2025.1" }, true)).toBe("teamcity");
    expect(outputStyle(false, {}, true)).toBe("tty");
    expect(outputStyle(false, { CI: "1" }, true)).toBe("plain");
    expect(outputStyle(false, {}, false)).toBe("plain");
  });
});

describe("TeamCity", () => {
  it("escapes | ' [ ] line breaks and non-ASCII in service messages", () => {
    expect(teamcityEscape("a|b 'c' [d]\ne\rf é")).toBe("a||b |'c|' |[d|]|ne|rf |0x00e9");
  });

  it("reports progress, and a failure as a build problem with the cause", () => {
    const sink = memorySink();
    const tc = new TeamCityReporter(sink);
    tc.progress(progress());
    tc.progress(progress({ elapsedSeconds: 6 }));
    tc.result(failed);
    expect(sink.lines.filter((l) => l.startsWith("##teamcity[progressMessage '"))).toHaveLength(1);
    const problem = sink.lines.find((l) => l.startsWith("##teamcity[buildProblem "));
    expect(problem).toMatch(
      /description='Deploy of api-qa:5 to platform\/api-qa FAILED: 3 tasks failed to start; rolled back to api-qa:4'/,
    );
    expect(problem).toMatch(/identity='ecs-deploy-platform-api-qa'/);
    expect(sink.lines.join("\n")).toContain("Error: can|'t connect |[db|]");
  });
});

describe("GitHub Actions", () => {
  it("escapes workflow-command data and properties", () => {
    expect(githubEscapeData("50% done\r\nnext")).toBe("50%25 done%0D%0Anext");
    expect(githubEscapeProperty("a:b,c")).toBe("a%3Ab%2Cc");
  });

  it("groups progress, annotates the verdict as an error, and writes a step summary", () => {
    const dir = mkdtempSync(join(tmpdir(), "ecs-gh-"));
    const summary = join(dir, "summary.md");
    const sink = memorySink();
    const gh = new GitHubReporter(sink, summary, () => new Date("2026-01-01T00:00:00Z"));
    gh.info("Registered api-qa:5");
    gh.progress(progress());
    gh.result(failed);
    gh.close();
    expect(sink.lines[0]).toBe("::group::ecs deploy progress");
    expect(sink.lines).toContain("::endgroup::");
    const error = sink.lines.find((l) => l.startsWith("::error "));
    expect(error).toMatch(/^::error title=ecs deploy api-qa::Deploy of api-qa:5 .*%0Atask abc stopped/);
    expect(readFileSync(summary, "utf8")).toMatch(/❌ Deploy of api-qa:5 to platform\/api-qa FAILED/);
  });
});

describe("plain CI lines", () => {
  it("are timestamped and repeat progress only when it changed", () => {
    const sink = memorySink();
    const plain = new PlainReporter(sink, () => new Date("2026-01-01T00:00:00Z"));
    plain.progress(progress());
    plain.progress(progress({ elapsedSeconds: 6 }));
    plain.progress(progress({ running: 2, pending: 0 }));
    expect(sink.lines).toHaveLength(2);
    expect(sink.lines[0]).toMatch(
      /^2026-01-01T00:00:00.000Z ecs-svc\/1 IN_PROGRESS, tasks 1\/2 running, 1 pending/,
    );
  });
});

describe("the terminal view", () => {
  it("redraws the progress block in place and scrolls steps above it", () => {
    const written: string[] = [];
    const sink = memorySink();
    const tty = new TtyReporter(
      (t) => written.push(t),
      sink,
      () => 80,
    );
    tty.progress(progress());
    tty.info("Registered api-qa:5");
    tty.progress(progress({ running: 2 }));
    expect(sink.lines.filter((l) => l.includes("deployment"))).toHaveLength(3);
    expect(written.filter((w) => w === "\u001b[4A")).toHaveLength(4);
    expect(sink.lines).toContain("Registered api-qa:5");
  });
});

describe("redaction", () => {
  it("masks known secret values in any line, and only values of secret-looking names", () => {
    const redactor = new Redactor();
    redactor.add("DB_PASSWORD", "s3cr3t-value");
    redactor.add("LOG_LEVEL", "debug");
    const sink = memorySink(redactor);
    sink.out("error: password s3cr3t-value rejected at debug level");
    expect(sink.lines[0]).toBe("error: password **** rejected at debug level");
  });
});
