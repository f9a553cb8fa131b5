#!/usr/bin/env node
// The `ecs` command (package.json "bin"). npm links a workspace's bin only if its file exists when
// npm installs, and the CLI is compiled output (dist/, written by `tsc -b`), absent in a fresh clone:
// so the link points at this committed file, which runs the built CLI, building it first if needed.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../dist/src/ecs/cli.js", import.meta.url));

if (!existsSync(cli)) buildPipelines();
await import(cli);

function buildPipelines() {
  const workspace = fileURLToPath(new URL("..", import.meta.url));
  const tsc = fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url));
  if (!existsSync(tsc)) {
    process.stderr.write(
      `ecs: ${cli} is missing and TypeScript is not installed: run "npm ci && npm run build".\n`,
    );
    process.exit(1);
  }
  process.stderr.write("ecs: not built yet, building it once (tsc -b pipelines)\n");
  const build = spawnSync(process.execPath, [tsc, "-b", workspace], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (build.status !== 0 || !existsSync(cli)) {
    process.stderr.write(
      `ecs: the build failed (exit ${build.status ?? build.signal}); run "npm run build" to see why.\n`,
    );
    process.exit(1);
  }
}
