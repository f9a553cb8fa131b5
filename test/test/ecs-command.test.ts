import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../src/region-process.js";

// The original CI line, `ecs deploy %ECS_CLUSTER_NAME% %ECS_SERVICE_NAME% %AWS_REGION% %ECS_DEPLOY_OPTIONS%`,
// runs by name after the setup: these run the command the way a build agent's shell would find it.

const run = promisify(execFile);
/** The test's own Node first, for npm and npx (the machine's may be older). */
const nodeFirst = () => ({
  ...process.env,
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}`,
});
/** The help's first line and one command of the CLI, so another `ecs` on the machine would not pass. */
const ECS_HELP =
  /^Usage: ecs \[options\] \[command\][\s\S]*deploy \[options\] <cluster> <service> \[region\]/;

describe("the ecs command", () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "ecs-command-"));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it("is found by name on the PATH setup.sh gives, and runs on the project's Node whatever node that PATH has", async () => {
    const binDir = join(scratch, "bin");
    // The step setup.sh runs, into a folder of the test's own instead of /usr/local/bin.
    await run("bash", [join(REPO_ROOT, "scripts/install-ecs-command.sh"), binDir]);
    // Only the system folders besides: no project Node first on this PATH (Debian's own may be 20).
    const { stdout } = await run("ecs", ["--help"], {
      cwd: scratch,
      env: { PATH: `${binDir}${delimiter}/usr/bin${delimiter}/bin`, HOME: scratch },
    });
    expect(stdout).toMatch(ECS_HELP);
  });

  it("leaves an up-to-date command alone when the setup runs again", async () => {
    const binDir = join(scratch, "bin-again");
    const first = await run("bash", [join(REPO_ROOT, "scripts/install-ecs-command.sh"), binDir]);
    const second = await run("bash", [join(REPO_ROOT, "scripts/install-ecs-command.sh"), binDir]);
    expect(first.stdout).toContain(`${binDir}/ecs runs ${REPO_ROOT}/pipelines/bin/ecs.js`);
    expect(second.stdout).toBe("");
  });

  it("runs as `npx ecs` from the repository root (the workspace's bin is linked)", async () => {
    // --no: never fetch a registry package of that name when the link is missing; fail instead.
    const { stdout } = await run("npx", ["--no", "--", "ecs", "--help"], {
      cwd: REPO_ROOT,
      env: nodeFirst(),
    });
    expect(stdout).toMatch(ECS_HELP);
  });

  it("says what to do when the CLI was never built and cannot be built there", async () => {
    // The launcher alone, as in a checkout with neither dist/ nor node_modules/.
    const bin = join(scratch, "checkout/pipelines/bin/ecs.js");
    await mkdir(dirname(bin), { recursive: true });
    await copyFile(join(REPO_ROOT, "pipelines/bin/ecs.js"), bin);
    const failure = await run(process.execPath, [bin, "--help"]).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain(
      'is missing and TypeScript is not installed: run "npm ci && npm run build"',
    );
  });

  it("installs on a build agent on its own: ecs:pack, then npm install -g of a package with no dependencies", async () => {
    const { stdout: packed } = await run(
      process.execPath,
      [join(REPO_ROOT, "scripts/pack-ecs.ts"), "--out", scratch],
      { env: nodeFirst() },
    );
    const { version } = JSON.parse(await readFile(join(REPO_ROOT, "pipelines/package.json"), "utf8"));
    const tarball = /ecs:pack: (\S+\.tgz)/.exec(packed)?.[1];
    expect(tarball).toBe(join(scratch, `platform-ecs-${version}.tgz`));
    // A prefix of the test's own stands for the agent's global folder; --offline: nothing to fetch.
    const prefix = join(scratch, "agent");
    await run(
      "npm",
      ["install", "-g", "--offline", "--no-audit", "--no-fund", "--prefix", prefix, tarball!],
      {
        env: nodeFirst(),
      },
    );
    const { stdout: listed } = await run("npm", ["ls", "-g", "--prefix", prefix, "--all", "--parseable"], {
      env: nodeFirst(),
    });
    expect(listed.trim().split("\n").slice(1)).toEqual([join(prefix, "lib/node_modules/@platform/ecs")]);
    const { stdout } = await run("ecs", ["--help"], {
      cwd: scratch,
      env: {
        PATH: `${join(prefix, "bin")}${delimiter}${dirname(process.execPath)}${delimiter}/usr/bin:/bin`,
      },
    });
    expect(stdout).toMatch(ECS_HELP);
  }, 180_000);
});
