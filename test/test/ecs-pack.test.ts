import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../src/region-process.js";

// The README's way to put `ecs` on a build agent without this repository: `npm run ecs:pack`, then
// `npm install -g` of the tarball. Installed into a folder of the test's own, run from outside the repo.

const run = promisify(execFile);

describe("ecs:pack", () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "ecs-pack-"));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it("installs with npm install -g as a package with no dependencies and runs by name", async () => {
    const nodeFirst = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}` };
    const { stdout: packed } = await run(
      process.execPath,
      [join(REPO_ROOT, "scripts/pack-ecs.ts"), "--out", scratch],
      {
        env: nodeFirst,
      },
    );
    const tarball = /ecs:pack: (\S+\.tgz)/.exec(packed)?.[1];
    const { version } = JSON.parse(await readFile(join(REPO_ROOT, "pipelines/package.json"), "utf8"));
    expect(tarball).toBe(join(scratch, `platform-ecs-${version}.tgz`));
    const prefix = join(scratch, "agent");
    await run(
      "npm",
      ["install", "-g", "--offline", "--no-audit", "--no-fund", "--prefix", prefix, tarball!],
      {
        env: nodeFirst,
      },
    );
    const { stdout: listed } = await run("npm", ["ls", "-g", "--prefix", prefix, "--all", "--parseable"], {
      env: nodeFirst,
    });
    expect(listed.trim().split("\n").slice(1)).toEqual([join(prefix, "lib/node_modules/@platform/ecs")]);
    const { stdout } = await run("ecs", ["--help"], {
      cwd: scratch,
      env: {
        PATH: `${join(prefix, "bin")}${delimiter}${dirname(process.execPath)}${delimiter}/usr/bin:/bin`,
      },
    });
    expect(stdout).toMatch(
      /^Usage: ecs \[options\] \[command\][\s\S]*deploy \[options\] <cluster> <service> \[region\]/,
    );
  }, 180_000);
});
