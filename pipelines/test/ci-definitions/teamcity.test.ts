import { join } from "node:path";
import { APP_NAMES, loadSpec, serviceName } from "@platform/env";
import { describe, expect, it } from "vitest";
import { ciDefinitionFiles } from "../../src/ci-definitions/definitions.js";
import { ECS_DEPLOY_LINE, kt } from "../../src/ci-definitions/teamcity.js";
import { STAGES } from "../../src/pipeline/stages.js";

// The generated .teamcity/settings.kts, read back as structure (no Kotlin compiler can run here:
// TeamCity's DSL libraries are not on the registries this machine reaches): build configurations
// and their ids, the snapshot chain, the one trigger that queues it, the parameters and the deploy
// line, the approval before prod, the Docker runner, coverage and test reports, and no secret values.

const repoRoot = join(import.meta.dirname, "..", "..", "..");
const spec = loadSpec(join(repoRoot, "env", "platform.yaml"));
const text = ciDefinitionFiles(repoRoot).find((f) => f.path === ".teamcity/settings.kts")!.text;

/** The text inside the `{ ... }` that opens at or after `start` (string literals skipped). */
function blockAt(source: string, start: number): string {
  const open = source.indexOf("{", start);
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    if (source[i] === '"') {
      for (i++; source[i] !== '"'; i++) if (source[i] === "\\") i++;
    } else if (source[i] === "{") depth++;
    else if (source[i] === "}" && --depth === 0) return source.slice(open + 1, i);
  }
  throw new Error(`unbalanced block at ${start}`);
}

function blocks(source: string, head: RegExp): { name: string; body: string }[] {
  return [...source.matchAll(head)].map((m) => ({ name: m[1]!, body: blockAt(source, m.index!) }));
}

interface Build {
  object: string;
  body: string;
  id: string;
  name: string;
  params: Map<string, string>;
  snapshots: string[];
  artifactsFrom: string[];
  stages: string[];
}

const params = (body: string) =>
  new Map(
    [...(/params \{([\s\S]*?)\n {4}\}/.exec(body)?.[1] ?? "").matchAll(/param\("([^"]+)", "([^"]*)"\)/g)].map(
      (m) => [m[1]!, m[2]!] as const,
    ),
  );

const template = blocks(text, /^object (\w+) : Template\(\{/gm)[0]!;
const templateParams = params(template.body);
const builds: Build[] = blocks(text, /^object (\w+) : BuildType\(\{/gm).map(({ name: object, body }) => {
  const own = params(body);
  const deployed = own.get("ECS_SERVICE_NAME");
  return {
    object,
    body,
    id: /id\("([^"]+)"\)/.exec(body)![1]!,
    name: /name = "([^"]+)"/.exec(body)![1]!,
    params: own,
    snapshots: [...body.matchAll(/snapshot\((\w+)\)/g)].map((m) => m[1]!),
    artifactsFrom: [...body.matchAll(/artifacts\((\w+)\)/g)].map((m) => m[1]!),
    stages: deployed
      ? [`deploy-${deployed.split("-").at(-1)}`]
      : (/npm run pipeline -- --only ([\w,-]+)/.exec(body)?.[1]?.split(",") ?? []),
  };
});
const byObject = new Map(builds.map((b) => [b.object, b]));
const project = blockAt(text, text.indexOf("\nproject {"));
const projectParams = params(project);

/** Every build this one waits for, directly or through others. */
function upstream(build: Build, seen = new Set<string>()): Set<string> {
  for (const dep of build.snapshots) {
    if (seen.has(dep)) continue;
    seen.add(dep);
    upstream(byObject.get(dep)!, seen);
  }
  return seen;
}

describe(".teamcity/settings.kts", () => {
  it("declares build configurations with unique Platform_ ids, all registered in the project, in chain order", () => {
    expect(builds.length).toBeGreaterThanOrEqual(5);
    expect(new Set(builds.map((b) => b.id)).size).toBe(builds.length);
    for (const b of builds) {
      expect(b.id).toBe(`Platform_${b.object}`);
      expect(project).toContain(`buildType(${b.object})`);
    }
    expect(project).toContain(`template(${template.name})`);
    expect(project).toContain(`buildTypesOrder = arrayListOf(${builds.map((b) => b.object).join(", ")})`);
    expect(text.indexOf("\nproject {")).toBeGreaterThan(text.lastIndexOf(": BuildType({"));
  });

  it("runs every pipeline stage once, in the table's order; each deploy is a build per ECS service", () => {
    const flat = builds.flatMap((b) => b.stages);
    const collapsed = flat.filter((s, i) => !(s.startsWith("deploy-") && flat[i - 1] === s));
    expect(collapsed).toEqual(STAGES.filter((s) => s.ci === "pipeline").map((s) => s.name));
    const deployed = builds.map((b) => b.params.get("ECS_SERVICE_NAME")).filter(Boolean);
    expect(deployed).toEqual(
      (["qa", "prod"] as const).flatMap((env) => APP_NAMES.map((app) => serviceName(app, env))),
    );
  });

  it("chains every build to the one before it with snapshot dependencies that stop on failure", () => {
    expect(builds[0]!.snapshots).toEqual([]);
    for (let i = 1; i < builds.length; i++) {
      const b = builds[i]!;
      expect(b.snapshots, b.name).toContain(builds[i - 1]!.object);
      for (const dep of b.snapshots) expect(builds.findIndex((x) => x.object === dep)).toBeLessThan(i);
    }
    const snapshotBlocks = [...text.matchAll(/snapshot\(\w+\) \{([^}]*)\}/g)].map((m) => m[1]!);
    expect(snapshotBlocks.length).toBeGreaterThan(0);
    for (const body of snapshotBlocks)
      expect(body).toContain("onDependencyFailure = FailureAction.FAIL_TO_START");
  });

  it("queues the whole chain from ONE VCS trigger on the last build, watching its snapshot dependencies", () => {
    expect(text.match(/triggers \{/g)).toHaveLength(1);
    expect(text).not.toMatch(/finishBuildTrigger|schedule \{/);
    const last = builds.at(-1)!;
    expect(last.body).toMatch(/triggers \{\s*vcs \{[^}]*watchChangesInDependencies = true/);
    expect(last.stages).toEqual(["verify-prod"]);
    expect(upstream(last)).toEqual(new Set(builds.slice(0, -1).map((b) => b.object)));
  });

  it("passes the state file from pipeline build to pipeline build, and checks the pushed digests after Build & Push", () => {
    const pipelineBuilds = builds.filter((b) => !b.params.has("ECS_SERVICE_NAME"));
    for (const b of pipelineBuilds) expect(b.body).toContain(".pipeline/state.json => pipeline");
    for (let i = 1; i < pipelineBuilds.length; i++) {
      expect(pipelineBuilds[i]!.artifactsFrom).toEqual([pipelineBuilds[i - 1]!.object]);
      expect(pipelineBuilds[i]!.snapshots).toContain(pipelineBuilds[i - 1]!.object);
    }
    const push = builds.find((b) => b.stages.includes("push"))!;
    for (const b of pipelineBuilds.slice(pipelineBuilds.indexOf(push) + 1)) {
      expect(b.body).toContain(
        `--expect api=%dep.${push.id}.api-digest%,media-server=%dep.${push.id}.media-server-digest%`,
      );
      expect(b.snapshots).toContain(push.object);
    }
  });

  it("deploys with the team's own line and its four parameters, defined by the project, template and build", () => {
    expect(ECS_DEPLOY_LINE).toBe(
      "ecs deploy %ECS_CLUSTER_NAME% %ECS_SERVICE_NAME% %AWS_REGION% %ECS_DEPLOY_OPTIONS%",
    );
    expect(template.body).toContain(`scriptContent = "${ECS_DEPLOY_LINE}"`);
    expect(text.split(ECS_DEPLOY_LINE)).toHaveLength(3); // the template's step, and the header that names it
    expect(projectParams.get("ECS_CLUSTER_NAME")).toBe(spec.cluster.name);
    expect(projectParams.get("AWS_REGION")).toBe(spec.region);
    expect(templateParams.has("ECS_SERVICE_NAME") && templateParams.has("ECS_DEPLOY_OPTIONS")).toBe(true);
    const push = builds.find((b) => b.stages.includes("push"))!;
    for (const b of builds.filter((x) => x.params.has("ECS_SERVICE_NAME"))) {
      const service = b.params.get("ECS_SERVICE_NAME")!;
      const app = APP_NAMES.find((a) => [serviceName(a, "qa"), serviceName(a, "prod")].includes(service))!;
      expect(b.body).toContain(`templates(${template.name})`);
      expect(b.params.get("ECS_DEPLOY_OPTIONS")).toBe(`-t %dep.${push.id}.${app}-tag% --timeout 600`);
      expect(b.body).toContain("maxRunningBuilds = 1");
    }
  });

  it("defines every %parameter% it references (or TeamCity provides it)", () => {
    const defined = new Set([
      ...projectParams.keys(),
      ...templateParams.keys(),
      ...builds.flatMap((b) => [...b.params.keys()]),
    ]);
    const references = [...text.matchAll(/%([\w.-]+)%/g)].map((m) => m[1]!);
    const provided = /^(dep\.\w+\.[\w-]+|teamcity\.build\.checkoutDir|build\.vcs\.number|env\.PATH)$/;
    const undefinedRefs = references.filter((r) => !defined.has(r) && !provided.test(r));
    expect(undefinedRefs).toEqual([]);
    const pushParams = new Set(APP_NAMES.flatMap((a) => [`${a}-digest`, `${a}-tag`]));
    for (const r of references.filter((x) => x.startsWith("dep."))) {
      const [, id, name] = /^dep\.(\w+)\.([\w-]+)$/.exec(r)!;
      expect(builds.find((b) => b.id === id)?.stages, r).toContain("push");
      expect(pushParams.has(name!), r).toBe(true);
    }
  });

  it("holds prod behind an approval: the approve stage's build has it, and every prod build waits for that build", () => {
    const approval = builds.find((b) => b.stages.includes("approve"))!;
    expect(approval.body).toMatch(/approval \{\s*approvalRules = "group:\w+:1"/);
    expect(approval.body).toContain("--approve");
    expect(text.match(/approval \{/g)).toHaveLength(1);
    const prodStages = new Set<string>(STAGES.filter((s) => s.environment === "prod").map((s) => s.name));
    for (const b of builds.filter((x) => x.stages.some((s) => prodStages.has(s)) && x !== approval)) {
      expect(upstream(b), b.name).toContain(approval.object);
    }
    for (const b of builds.filter((x) => !upstream(x).has(approval.object) && x !== approval)) {
      expect(
        b.stages.some((s) => prodStages.has(s)),
        b.name,
      ).toBe(false);
      expect(b.body).not.toContain("--approve");
    }
  });

  it("builds the images with TeamCity's Docker runner, from each app's Dockerfile", () => {
    const build = builds.find((b) => b.stages.includes("build"))!;
    for (const app of APP_NAMES) {
      expect(build.body).toMatch(
        new RegExp(
          `dockerCommand \\{[\\s\\S]*?commandType = build \\{\\s*source = file \\{\\s*path = "${app}/Dockerfile"`,
        ),
      );
    }
  });

  it("publishes coverage as coverage.zip with Coverage tabs, and Karma's JUnit XML as tests", () => {
    const test = builds.find((b) => b.stages.includes("test"))!;
    expect(test.body).toMatch(/artifactRules = "[^"]*coverage => coverage\.zip/);
    const tabs = [...project.matchAll(/buildReportTab \{([^}]*)\}/g)].map((m) => m[1]!);
    expect(tabs.some((t) => t.includes('title = "Code Coverage"'))).toBe(true);
    for (const tab of tabs) expect(tab).toMatch(/startPage = "coverage\.zip![\w/]*index\.html"/);
    expect(test.body).toMatch(
      /xmlReport \{\s*reportType = XmlReport\.XmlReportType\.JUNIT\s*rules = "\+:reports\/karma\/\*\.xml"/,
    );
  });

  it("gets AWS credentials only from the environment's AWS connection, in builds that call AWS", () => {
    for (const b of builds) {
      const connections = [...b.body.matchAll(/awsConnectionId = "(\w+)"/g)].map((m) => m[1]);
      const environments = new Set(b.stages.flatMap((s) => STAGES.find((d) => d.name === s)!.awsRole ?? []));
      expect(connections, b.name).toEqual(
        [...environments].map((e) => `PlatformAws${e === "qa" ? "Qa" : "Prod"}`),
      );
    }
  });

  it("has no secret values and no unescaped Kotlin templates", () => {
    expect(text).not.toMatch(/AKIA[0-9A-Z]{16}/);
    expect(text).not.toMatch(/aws_?secret_?access_?key|secretAccessKey|accessKeyId/i);
    expect(text).not.toMatch(/password\s*[:=(]/i);
    expect(text).not.toMatch(/credentialsJSON:|-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    const literals = [...text.matchAll(/"((?:[^"\\\n]|\\.)*)"/g)].map((m) => m[1]!);
    for (const literal of literals) expect(literal, literal).not.toMatch(/(^|[^\\])\$/);
    expect(kt('a "$b" \\c')).toBe('"a \\"\\$b\\" \\\\c"');
    expect(kt("a\nb")).toBe('"a\\nb"');
  });
});
