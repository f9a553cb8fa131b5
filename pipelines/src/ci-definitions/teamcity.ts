import { INSTALL_COMMANDS, type StageDefinition } from "../pipeline/stages.js";
import type { GeneratedFile } from "./generated-file.js";
import {
  type CiJob,
  type CiModel,
  type EcsServiceDeploy,
  pipelineArguments,
  serviceDeploys,
} from "./model.js";

// The TeamCity Kotlin DSL (.teamcity/settings.kts), rendered from the CI model. Each CI job
// becomes build configurations chained by snapshot dependencies; a deploy stage becomes one build
// per ECS service running the team's own line, `ecs deploy %ECS_CLUSTER_NAME% %ECS_SERVICE_NAME%
// %AWS_REGION% %ECS_DEPLOY_OPTIONS%`, from a template. One VCS trigger, on the last build, with
// "trigger on changes in snapshot dependencies", queues the whole chain on one revision.

export const TEAMCITY_DSL_VERSION = "2025.03";
export const PROJECT_ID = "Platform";
/** The user group whose member approves a release to prod (created in the TeamCity UI). */
export const RELEASERS_GROUP = "PLATFORM_RELEASERS";
/** The exact line the original team ran in its deploy step. */
export const ECS_DEPLOY_LINE =
  "ecs deploy %ECS_CLUSTER_NAME% %ECS_SERVICE_NAME% %AWS_REGION% %ECS_DEPLOY_OPTIONS%";
const STATE_ARTIFACT = ".pipeline/state.json => pipeline";
const STATE_FROM_DEPENDENCY = "pipeline/state.json => .pipeline";

/** An AWS connection per environment (defined once in the TeamCity UI: an IAM role the agents may assume). */
export function awsConnectionId(environment: string): string {
  return `PlatformAws${capitalize(environment)}`;
}

export interface TeamCityBuild {
  /** The Kotlin object's name, and the build configuration id after "Platform_". */
  object: string;
  name: string;
  job: CiJob;
  /** Pipeline stages run by `npm run pipeline` (empty for an ECS deploy build). */
  stages: StageDefinition[];
  deploy?: EcsServiceDeploy;
  previous?: TeamCityBuild;
  /** The build whose state-file artifact this build starts from. */
  stateFrom?: TeamCityBuild;
  /** The build that pushed the images (its digest and tag parameters). */
  pushBuild?: TeamCityBuild;
}

/** The chain: each job's stages, a deploy stage split into one build per service. */
export function teamcityBuilds(model: CiModel): TeamCityBuild[] {
  const builds: TeamCityBuild[] = [];
  let lastPipelineBuild: TeamCityBuild | undefined;
  let pushBuild: TeamCityBuild | undefined;
  const add = (build: Omit<TeamCityBuild, "previous" | "stateFrom" | "pushBuild">) => {
    const previous = builds.at(-1);
    const full: TeamCityBuild = {
      ...build,
      ...(previous && { previous }),
      ...(lastPipelineBuild && { stateFrom: lastPipelineBuild }),
      ...(pushBuild && { pushBuild }),
    };
    builds.push(full);
    if (full.stages.length > 0) lastPipelineBuild = full;
    if (full.stages.some((s) => s.name === "push")) pushBuild = full;
  };
  for (const job of model.jobs) {
    const segments = splitAtDeploys(job.stages);
    for (const segment of segments) {
      const deploys = serviceDeploys(model, segment[0]!);
      if (deploys.length > 0) {
        for (const deploy of deploys) {
          add({
            object: objectName(`Deploy ${deploy.service}`),
            name: `Deploy ${deploy.service}`,
            job,
            stages: [],
            deploy,
          });
        }
      } else {
        const name =
          segments.length === 1 ? titleCase(job.title) : segment.map((s) => titleCase(s.name)).join(" & ");
        add({ object: objectName(name), name, job, stages: segment });
      }
    }
  }
  return builds;
}

/** Runs of stages that `npm run pipeline` runs together, each deploy stage on its own. */
function splitAtDeploys(stages: StageDefinition[]): StageDefinition[][] {
  const segments: StageDefinition[][] = [];
  for (const stage of stages) {
    const last = segments.at(-1);
    if (stage.deploysServices || !last || last[0]!.deploysServices) segments.push([stage]);
    else last.push(stage);
  }
  return segments;
}

export function teamcitySettings(model: CiModel, generatedBy: string): GeneratedFile {
  const builds = teamcityBuilds(model);
  const text = [
    IMPORTS,
    "",
    header(generatedBy),
    "",
    `version = ${kt(TEAMCITY_DSL_VERSION)}`,
    "",
    ecsDeployTemplate(),
    ...builds.map((build, i) => `\n${buildType(model, build, i === builds.length - 1)}`),
    "",
    project(model, builds),
    "",
  ].join("\n");
  return { path: ".teamcity/settings.kts", text };
}

const IMPORTS = [
  "import jetbrains.buildServer.configs.kotlin.*",
  "import jetbrains.buildServer.configs.kotlin.buildFeatures.XmlReport",
  "import jetbrains.buildServer.configs.kotlin.buildFeatures.approval",
  "import jetbrains.buildServer.configs.kotlin.buildFeatures.provideAwsCredentials",
  "import jetbrains.buildServer.configs.kotlin.buildFeatures.xmlReport",
  "import jetbrains.buildServer.configs.kotlin.buildSteps.dockerCommand",
  "import jetbrains.buildServer.configs.kotlin.buildSteps.script",
  "import jetbrains.buildServer.configs.kotlin.projectFeatures.buildReportTab",
  "import jetbrains.buildServer.configs.kotlin.triggers.vcs",
].join("\n");

function ecsDeployTemplate(): string {
  return block("object EcsDeploy : Template({", "})", [
    `id(${kt(`${PROJECT_ID}_EcsDeploy`)})`,
    `name = ${kt("ECS deploy")}`,
    `description = ${kt("One ECS service: the new image, watched until it serves or rolled back (the ecs CLI)")}`,
    "vcs { root(DslContext.settingsRoot) }",
    "maxRunningBuilds = 1",
    ...paramsBlock([
      ["ECS_SERVICE_NAME", ""],
      ["ECS_DEPLOY_OPTIONS", ""],
      // `ecs` is the workspace's bin (pipelines/package.json), linked into node_modules/.bin by npm ci.
      ["env.PATH", "%teamcity.build.checkoutDir%/node_modules/.bin:%env.PATH%"],
    ]),
    ...block("steps {", "}", [
      ...scriptStep("Install", INSTALL_COMMANDS.tools.join(" && ")),
      ...scriptStep("ecs deploy", ECS_DEPLOY_LINE),
    ]),
  ]).join("\n");
}

function buildType(model: CiModel, build: TeamCityBuild, isLast: boolean): string {
  const body = [
    ...(build.deploy ? ["templates(EcsDeploy)"] : []),
    `id(${kt(`${PROJECT_ID}_${build.object}`)})`,
    `name = ${kt(build.name)}`,
    ...(build.deploy ? [] : ["vcs { root(DslContext.settingsRoot) }"]),
    ...(build.job.environment ? ["maxRunningBuilds = 1"] : []),
    ...paramsBlock(buildParams(model, build)),
    ...(build.deploy ? [] : block("steps {", "}", pipelineSteps(model, build))),
    ...(build.stages.length > 0 ? artifactRules(build) : []),
    ...dependencies(build),
    ...triggers(isLast),
    ...features(build),
  ];
  return block(`object ${build.object} : BuildType({`, "})", body).join("\n");
}

function buildParams(model: CiModel, build: TeamCityBuild): [string, string][] {
  const params: [string, string][] = [];
  if (build.deploy) {
    params.push(["ECS_SERVICE_NAME", build.deploy.service]);
    const tag = `%dep.${PROJECT_ID}_${build.pushBuild!.object}.${build.deploy.app}-tag%`;
    params.push(["ECS_DEPLOY_OPTIONS", `-t ${tag} --timeout ${model.deployTimeoutSeconds}`]);
  } else if (build.job.target === "aws") {
    // The tests run against a local region of their own; from Build & Push on the target is AWS.
    params.push(["env.PLATFORM_TARGET", "aws"]);
  }
  return params;
}

function pipelineSteps(model: CiModel, build: TeamCityBuild): string[] {
  const expect = build.pushBuild
    ? model.apps.map((app) => `${app}=%dep.${PROJECT_ID}_${build.pushBuild!.object}.${app}-digest%`).join(",")
    : undefined;
  const args = pipelineArguments(model, { ...build.job, stages: build.stages }, expect).map((a) =>
    a === model.stateFile ? "%pipeline.state%" : a,
  );
  const install = build.job.install;
  return [
    ...scriptStep("Install", INSTALL_COMMANDS[install].join(" && ")),
    // Docker's own runner builds the images (TeamCity shows and caches it); the push stage's
    // `docker build` of the same Dockerfile then reuses those layers and pushes to ECR.
    ...(build.stages.some((s) => s.name === "build")
      ? model.apps.flatMap((app) => dockerBuildStep(app))
      : []),
    // With TEAMCITY_VERSION set the tools print service messages: blocks, build problems, the
    // digests as parameters, and vitest's tests (pipelines/src/ci-reporters/vitest-teamcity.ts).
    ...scriptStep(
      `Stages ${build.stages.map((s) => s.name).join(", ")}`,
      ["npm run pipeline --", ...args].join(" "),
    ),
  ];
}

function dockerBuildStep(app: string): string[] {
  return block("dockerCommand {", "}", [
    `name = ${kt(`docker build ${app}`)}`,
    ...block("commandType = build {", "}", [
      ...block("source = file {", "}", [`path = ${kt(`${app}/Dockerfile`)}`]),
      `contextDir = ${kt(".")}`,
      `namesAndTags = ${kt(`platform/${app}:%build.vcs.number%`)}`,
      `commandArgs = ${kt("--platform linux/amd64 --build-arg GIT_COMMIT=%build.vcs.number%")}`,
    ]),
  ]);
}

function artifactRules(build: TeamCityBuild): string[] {
  const rules = [STATE_ARTIFACT];
  if (build.stages.some((s) => s.name === "test")) {
    // coverage/node (vitest, V8) and coverage/browser (Karma, Istanbul): the project's report tabs open them.
    rules.push("coverage => coverage.zip", "reports => reports.zip");
  }
  return [`artifactRules = ${kt(rules.join("\n"))}`];
}

function dependencies(build: TeamCityBuild): string[] {
  const snapshots = unique([build.previous, build.stateFrom, build.pushBuild]);
  if (snapshots.length === 0) return [];
  return block("dependencies {", "}", [
    ...snapshots.flatMap((dep) =>
      block(`snapshot(${dep.object}) {`, "}", [
        "onDependencyFailure = FailureAction.FAIL_TO_START",
        "onDependencyCancel = FailureAction.CANCEL",
      ]),
    ),
    ...(build.stateFrom && build.stages.length > 0
      ? block(`artifacts(${build.stateFrom.object}) {`, "}", [`artifactRules = ${kt(STATE_FROM_DEPENDENCY)}`])
      : []),
  ]);
}

/** The one trigger: on the last build, watching its snapshot dependencies, so one commit queues the whole chain. */
function triggers(isLast: boolean): string[] {
  if (!isLast) return [];
  return block("triggers {", "}", [
    ...block("vcs {", "}", [`branchFilter = ${kt("+:<default>")}`, "watchChangesInDependencies = true"]),
  ]);
}

function features(build: TeamCityBuild): string[] {
  const items: string[] = [];
  if (build.stages.some((s) => s.name === "test")) {
    // vitest reports through service messages; Karma's results come in as its JUnit XML.
    items.push(
      ...block("xmlReport {", "}", [
        "reportType = XmlReport.XmlReportType.JUNIT",
        `rules = ${kt("+:reports/karma/*.xml")}`,
      ]),
    );
  }
  if (build.stages.some((s) => s.approval)) {
    items.push(
      ...block("approval {", "}", [`approvalRules = ${kt(`group:${RELEASERS_GROUP}:1`)}`, "timeout = 240"]),
    );
  }
  const role = build.deploy ? build.deploy.environment : build.stages.find((s) => s.awsRole)?.awsRole;
  if (role)
    items.push(...block("provideAwsCredentials {", "}", [`awsConnectionId = ${kt(awsConnectionId(role))}`]));
  return items.length > 0 ? block("features {", "}", items) : [];
}

function project(model: CiModel, builds: TeamCityBuild[]): string {
  return block("project {", "}", [
    `description = ${kt("ECS blue/green platform, generated from pipelines/src/pipeline/stages.ts")}`,
    ...paramsBlock([
      ["ECS_CLUSTER_NAME", model.cluster],
      ["AWS_REGION", model.region],
      ["env.AWS_REGION", "%AWS_REGION%"],
      ["pipeline.state", model.stateFile],
    ]),
    ...block("features {", "}", COVERAGE_TABS.flatMap(reportTab)),
    "template(EcsDeploy)",
    ...builds.map((b) => `buildType(${b.object})`),
    `buildTypesOrder = arrayListOf(${builds.map((b) => b.object).join(", ")})`,
  ]).join("\n");
}

/** TeamCity's report tabs over the test build's coverage.zip: one per runner's HTML report. */
export const COVERAGE_TABS = [
  { id: "CodeCoverage", title: "Code Coverage", startPage: "coverage.zip!node/index.html" },
  { id: "BrowserCoverage", title: "Code Coverage (browser)", startPage: "coverage.zip!browser/index.html" },
] as const;

function reportTab(tab: (typeof COVERAGE_TABS)[number]): string[] {
  return block("buildReportTab {", "}", [
    `id = ${kt(`${PROJECT_ID}_${tab.id}`)}`,
    `title = ${kt(tab.title)}`,
    `startPage = ${kt(tab.startPage)}`,
  ]);
}

function scriptStep(name: string, content: string): string[] {
  return block("script {", "}", [`name = ${kt(name)}`, `scriptContent = ${kt(content)}`]);
}

function paramsBlock(params: [string, string][]): string[] {
  if (params.length === 0) return [];
  return block(
    "params {",
    "}",
    params.map(([name, value]) => `param(${kt(name)}, ${kt(value)})`),
  );
}

function block(open: string, close: string, body: string[]): string[] {
  return [open, ...body.map((line) => (line ? `    ${line}` : line)), close];
}

/** A Kotlin string literal: `$` would start a template, so it is escaped with the quote, backslash and line break. */
export function kt(value: string): string {
  return `"${value.replaceAll(/["\\$]/g, (c) => `\\${c}`).replaceAll("\n", "\\n")}"`;
}

function unique(builds: (TeamCityBuild | undefined)[]): TeamCityBuild[] {
  return [...new Set(builds.filter((b) => b !== undefined))];
}

function objectName(title: string): string {
  return title
    .replaceAll("&", " And ")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map(capitalize)
    .join("");
}

function titleCase(words: string): string {
  return words
    .split(/[\s-]+/)
    .map((w) => (w.toLowerCase() === "qa" ? "QA" : w === "&" ? w : capitalize(w)))
    .join(" ");
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function header(generatedBy: string): string {
  return [
    "/*",
    ` * Generated by ${generatedBy}: do not edit.`,
    " *",
    " * The deploy pipeline as TeamCity build configurations, chained by snapshot dependencies. Every",
    " * build runs stages of the same pipeline `npm run pipeline` runs locally; the state file (image",
    " * tags and digests) is each pipeline build's artifact and the next one's artifact dependency, and",
    " * the digests are parameters (##teamcity[setParameter] from the tools) passed back with --expect,",
    " * so prod runs exactly the digest QA verified. A deploy is one build per ECS service, the team's",
    ` * own line: ${ECS_DEPLOY_LINE}`,
    " *",
    ' * One VCS trigger, on the last build (Verify Prod), with "trigger on changes in snapshot',
    ' * dependencies": a commit queues the whole chain on one revision; a failed build stops it',
    " * (FAIL_TO_START), and the approval holds the prod builds until a release manager approves.",
    " *",
    ` * Set up once in the UI, nothing secret here: AWS connections ${awsConnectionId("qa")} and`,
    ` * ${awsConnectionId("prod")} (IAM roles the agents may assume) and a user group ${RELEASERS_GROUP}.`,
    " */",
  ].join("\n");
}
