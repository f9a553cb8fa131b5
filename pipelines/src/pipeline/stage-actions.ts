import { type AppName, runtimeConfig, serviceDeployment, serviceName, shiftsTraffic } from "@platform/env";
import { repositoryUri, taggedDigest } from "@platform/image-format";
import { buildAppImage, formatBytes } from "../image/build-app.js";
import { promoteImage } from "../image/promote.js";
import { publishAppImage, pushLogger } from "../image/publish.js";
import { pushImage } from "../image/push.js";
import { functionalCheck } from "./checks/functional.js";
import type { PipelineContext, RunMemory } from "./context.js";
import { INSTALL_COMMANDS, LINT_COMMAND, type StageName } from "./stages.js";
import type { PipelineState, RuntimeConfigRecord } from "./state-file.js";
import { describeReports, findTestReports } from "./test-reports.js";
import { type Expectation, PROBES } from "./verify.js";
import { verifyEndpoint } from "./verify-endpoint.js";
import { referencedProjects } from "./workspaces.js";

// What each stage does. A stage returns the new pipeline state and a one-line result, or throws
// an Error whose message says what failed.

export interface StageResult {
  state: PipelineState;
  note: string;
}

export type StageAction = (
  ctx: PipelineContext,
  state: PipelineState,
  memory: RunMemory,
) => Promise<StageResult>;

/** Runs an app's functional check (checks/functional.ts); the stage tests hand in a stand-in. */
export type FunctionalCheck = typeof functionalCheck;

export const STAGE_ACTIONS = stageActions(functionalCheck);

export function stageActions(functional: FunctionalCheck): Record<StageName, StageAction> {
  return {
    install: (ctx, state) => runCommands(ctx, state, INSTALL_COMMANDS.full),
    lint: (ctx, state) => runCommands(ctx, state, [LINT_COMMAND]),
    test: runTests,
    build: buildImages,
    push: pushImages,
    "deploy-qa": (ctx, state) => deploy(ctx, state, "qa"),
    "verify-qa": (ctx, state) => verifyEnvironment(ctx, state, "qa", functional),
    approve: approveRelease,
    promote: promoteImages,
    "deploy-prod": (ctx, state) => deploy(ctx, state, "prod"),
    "verify-prod": (ctx, state) => verifyEnvironment(ctx, state, "prod", functional),
  };
}

/** Commands of the stage table: plain words, split on spaces (no shell). */
async function runCommands(
  ctx: PipelineContext,
  state: PipelineState,
  commands: readonly string[],
): Promise<StageResult> {
  for (const line of commands) {
    const [command, ...args] = line.split(" ");
    await ctx.run(command!, args);
  }
  return { state, note: commands.join(" && ") };
}

async function approveRelease(ctx: PipelineContext, state: PipelineState): Promise<StageResult> {
  if (!ctx.approved) {
    throw new Error(
      "prod waits for an approval: check qa, then run again with --approve (npm run pipeline -- --from approve --approve)",
    );
  }
  return { state, note: `release of ${state.commit?.slice(0, 12) ?? "this run"} to prod approved` };
}

async function runTests(ctx: PipelineContext, state: PipelineState): Promise<StageResult> {
  const [command, ...args] = ctx.testCommand;
  if (!command) throw new Error("no test command");
  const started = ctx.now();
  // A failing run's reports are the ones people most need to read: publish them either way.
  const failure = await ctx.run(command, args).then(
    () => undefined,
    (error: Error) => error,
  );
  const published = await publishTestReports(ctx, started);
  if (failure) throw failure;
  return { state, note: [ctx.testCommand.join(" "), ...published].join("; ") };
}

/** The coverage and JUnit reports this run wrote, shown in the log and packed into coverage.zip (TeamCity's Coverage tab). */
async function publishTestReports(ctx: PipelineContext, sinceMs: number): Promise<string[]> {
  const reports = findTestReports(ctx.repoRoot, sinceMs);
  const lines = describeReports(reports);
  for (const line of lines) ctx.log(line);
  if (reports.coverage.length === 0) return lines;
  await ctx.run("node", ["scripts/coverage-zip.ts", "--to", "coverage.zip"]);
  return [...lines, "coverage.zip"];
}

async function buildImages(
  ctx: PipelineContext,
  state: PipelineState,
  memory: RunMemory,
): Promise<StageResult> {
  // The apps import other workspaces through their compiled dist/: build those first.
  const projects = [...new Set(ctx.apps.flatMap((app) => referencedProjects(ctx.repoRoot, app)))];
  if (projects.length > 0) await ctx.run("npx", ["tsc", "-b", ...projects]);
  let commit: string | undefined;
  for (const app of ctx.apps) {
    const built = await buildAppImage({
      repoRoot: ctx.repoRoot,
      app,
      onProgress: (line) => ctx.log(`${app}: ${line}`),
    });
    memory.built.set(app, built);
    commit = built.revision.commit;
  }
  const images = [...memory.built.values()].map((b) => `${b.app} ${formatBytes(b.image.layers[0]!.size)}`);
  const runtime = await generateRuntimeConfig(ctx, "qa");
  return {
    state: { ...state, ...(commit && { commit }), images: {}, runtime },
    note: `${images.join(", ")}; ${describeRuntime(runtime)}`,
  };
}

/**
 * The environment's runtime configuration per service, from the env spec's generator: its settings,
 * and its secrets as references checked to exist. A missing secret fails here, before any deploy.
 */
async function generateRuntimeConfig(
  ctx: PipelineContext,
  env: "qa" | "prod",
  runtime: PipelineState["runtime"] = {},
): Promise<Record<string, RuntimeConfigRecord>> {
  const locator = ctx.secretLocator();
  const generated = { ...runtime };
  for (const app of ctx.apps) {
    const config = await runtimeConfig(ctx.spec, env, app, locator);
    generated[config.service] = { environment: config.environment, secrets: config.secrets };
    ctx.log(
      `${config.service}: runtime config, ${Object.keys(config.environment).length} settings, secrets ${Object.keys(config.secrets).join(", ") || "none"} (references)`,
    );
  }
  return generated;
}

function describeRuntime(runtime: Record<string, RuntimeConfigRecord>): string {
  return `runtime config for ${Object.keys(runtime).join(", ")}`;
}

/** `ecs deploy` options that give the new revision the generated configuration (values of secrets stay in their stores). */
export function runtimeConfigOptions(app: AppName, config: RuntimeConfigRecord | undefined): string[] {
  if (!config) return [];
  return [
    ...Object.entries(config.environment).flatMap(([name, value]) => ["--env", app, name, value]),
    ...Object.entries(config.secrets).flatMap(([name, valueFrom]) => ["--secret", app, name, valueFrom]),
  ];
}

async function pushImages(
  ctx: PipelineContext,
  state: PipelineState,
  memory: RunMemory,
): Promise<StageResult> {
  const images = { ...state.images };
  let commit = state.commit;
  for (const app of ctx.apps) {
    const repositoryName = serviceName(app, "qa");
    const built = memory.built.get(app);
    if (ctx.target.kind === "aws" || !built) {
      // On AWS the Dockerfile builds the image (docker build + push).
      const result = await publishAppImage({
        repoRoot: ctx.repoRoot,
        app,
        repositoryName,
        push: true,
        target: ctx.target,
        ecr: ctx.ecr(),
        log: (line) => ctx.log(`${app}: ${line}`),
        ...(ctx.tag && { tag: ctx.tag }),
      });
      images[app] = {
        tag: result.tag,
        digest: result.imageDigest,
        ...(result.pinnedUri && { qa: result.pinnedUri }),
      };
      commit = result.commit;
    } else {
      const tag = ctx.tag ?? built.tag;
      const existing = ctx.tag ? undefined : await taggedDigest(ctx.ecr(), repositoryName, tag);
      if (existing) {
        // A commit-derived tag names its source: an earlier build of the same source is that image.
        const uri = await repositoryUri(ctx.ecr(), repositoryName);
        ctx.log(`${app}: ${repositoryName}:${tag} is already pushed (${existing}): using it`);
        images[app] = { tag, digest: existing, qa: `${uri}@${existing}` };
      } else {
        ctx.log(`${app}: pushing ${repositoryName}:${tag}`);
        const pushed = await pushImage(ctx.ecr(), repositoryName, tag, built.image, {
          onProgress: pushLogger((line) => ctx.log(`${app}: ${line}`)),
        });
        images[app] = { tag, digest: pushed.imageDigest, qa: pushed.pinnedUri };
      }
    }
    ctx.ci.output(`${app}-digest`, images[app]!.digest);
    ctx.ci.output(`${app}-tag`, images[app]!.tag);
  }
  return {
    state: { ...state, images, ...(commit && { commit }) },
    note: ctx.apps.map((a) => `${a}:${images[a]!.tag} ${images[a]!.digest.slice(0, 19)}…`).join(", "),
  };
}

async function deploy(ctx: PipelineContext, state: PipelineState, env: "qa" | "prod"): Promise<StageResult> {
  for (const app of ctx.apps) {
    const image = state.images[app]?.[env];
    if (!image) throw new Error(`no ${env} image recorded for ${app}`);
    const service = serviceName(app, env);
    const check = shiftsTraffic(serviceDeployment(ctx.spec, app, env))
      ? greenCheck(ctx, expectationOf(ctx, state), app, env)
      : [];
    ctx.log(
      `ecs deploy ${ctx.spec.cluster.name} ${service} --image ${app} ${image}${check.length ? " (green verified on the test listener first)" : ""}`,
    );
    await ctx.run(
      "node",
      [
        `${ctx.repoRoot}/pipelines/dist/src/ecs/cli.js`,
        "deploy",
        ctx.spec.cluster.name,
        service,
        "--image",
        app,
        image,
        "--timeout",
        String(ctx.deployTimeoutSeconds),
        ...runtimeConfigOptions(app, state.runtime?.[service]),
        ...check,
      ],
      { env: ctx.awsEnv() },
    );
  }
  return { state, note: ctx.apps.map((a) => serviceName(a, env)).join(", ") };
}

/**
 * For a blue/green service: ECS pauses once green has the test listener, and `ecs deploy` runs the
 * verify stage's own checks of this app against it (verify-green.ts); production moves only if they
 * pass, else the deployment rolls back at the hook and users never see the version.
 */
function greenCheck(ctx: PipelineContext, expected: Expectation, app: AppName, env: "qa" | "prod"): string[] {
  const { baseUrl, host } = ctx.verify.testEndpoint(env);
  const image = expected.images[app];
  if (!image) throw new Error(`no image recorded for ${app}`);
  const command = [
    "node",
    `${ctx.repoRoot}/pipelines/dist/src/pipeline/verify-green.js`,
    "--app",
    app,
    "--env",
    env,
    "--host",
    host,
    "--commit",
    expected.commit,
    "--digest",
    image.digest,
    "--tag",
    image.tag,
  ];
  return ["--test-command", shellWords(command), "--test-base-url", baseUrl];
}

/** Words `ecs deploy --test-command` splits back exactly (it never hands them to a shell). */
function shellWords(words: string[]): string {
  return words
    .map((word) => {
      if (word.includes("'")) throw new Error(`cannot pass ${JSON.stringify(word)} to --test-command`);
      return `'${word}'`;
    })
    .join(" ");
}

function expectationOf(ctx: PipelineContext, state: PipelineState): Expectation {
  if (!state.commit) throw new Error("the pipeline state records no commit to verify");
  const images = Object.fromEntries(
    ctx.apps.map((app) => {
      const image = state.images[app];
      if (!image) throw new Error(`no image recorded for ${app}: run its push stage first`);
      return [app, { digest: image.digest, tag: image.tag }];
    }),
  );
  return { commit: state.commit, images };
}

async function verifyEnvironment(
  ctx: PipelineContext,
  state: PipelineState,
  env: "qa" | "prod",
  functional: FunctionalCheck,
): Promise<StageResult> {
  const expected = expectationOf(ctx, state);
  const { baseUrl, host } = ctx.verify.endpoint(env);
  const probes = PROBES.filter((p) => (ctx.apps as string[]).includes(p.app));
  if (probes.length === 0) throw new Error(`no endpoint to verify for ${ctx.apps.join(", ")}`);
  const rounds = await verifyEndpoint({
    baseUrl,
    host,
    probes,
    expected,
    requiredRounds: ctx.verify.requiredRounds,
    maxRounds: ctx.verify.maxRounds,
    intervalMs: ctx.verify.intervalMs,
    log: ctx.log,
    sleep: ctx.sleep,
  }).catch((error: Error) => {
    throw new Error(`${env} does not serve this run's images: ${error.message}`);
  });
  const versions = `${host}: ${probes.length} endpoints report commit ${expected.commit.slice(0, 12)} (${rounds} rounds)`;
  // Prod keeps to read-only checks: no jobs in prod's store from here (its green check ran them
  // on the test listener before users were moved).
  if (env === "prod") return { state, note: versions };
  const measured: string[] = [];
  for (const app of ctx.apps) {
    const on = { spec: ctx.spec, env, endpoint: { baseUrl, host }, commit: expected.commit };
    measured.push(
      await functional(app, { ...on, awsEnv: ctx.awsEnv(), log: ctx.log, now: ctx.now, sleep: ctx.sleep }),
    );
  }
  return { state, note: [versions, ...measured].join("; ") };
}

async function promoteImages(ctx: PipelineContext, state: PipelineState): Promise<StageResult> {
  const images = { ...state.images };
  for (const app of ctx.apps) {
    const record = images[app];
    if (!record) throw new Error(`no qa image recorded for ${app}`);
    const from = { repositoryName: serviceName(app, "qa"), digest: record.digest };
    const to = { repositoryName: serviceName(app, "prod"), tag: record.tag };
    ctx.log(`${app}: ${from.repositoryName}@${record.digest.slice(0, 19)}… → ${to.repositoryName}:${to.tag}`);
    const result = await promoteImage(
      ctx.ecr(),
      { from, to },
      { onProgress: pushLogger((line) => ctx.log(`${app}: ${line}`)) },
    );
    if (result.imageDigest !== record.digest) {
      throw new Error(
        `${to.repositoryName}:${to.tag} is ${result.imageDigest}, not the verified ${record.digest}`,
      );
    }
    images[app] = { ...record, prod: result.pinnedUri };
    ctx.ci.output(`${app}-prod-image`, result.pinnedUri);
  }
  // prod's own configuration, generated with prod's role: the image is qa's, the settings are prod's.
  const runtime = await generateRuntimeConfig(ctx, "prod", state.runtime);
  return {
    state: { ...state, images, runtime },
    note: ctx.apps.map((a) => `${a} ${images[a]!.digest.slice(0, 19)}…`).join(", "),
  };
}
