// Packs the `ecs` command alone, for a build agent without this repository:
//   npm run ecs:pack [-- --out <dir>]       -> .pack/platform-ecs-<version>.tgz
//   npm install -g ./platform-ecs-<version>.tgz   (on the agent, Node 24) -> `ecs` on PATH
// The workspace itself can't be installed elsewhere (it depends on the other, unpublished workspaces),
// so the CLI and its dependencies are bundled into one file with no dependencies left to fetch.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { bundleEntry } from "@platform/pipelines/image/bundle";

const repo = path.resolve(import.meta.dirname, "..");
const pipelinesDir = path.join(repo, "pipelines");
const { values } = parseArgs({ options: { out: { type: "string", default: path.join(repo, ".pack") } } });
const packDir = path.resolve(values.out);
const stage = path.join(packDir, "ecs");
const { version } = JSON.parse(readFileSync(path.join(pipelinesDir, "package.json"), "utf8")) as {
  version: string;
};

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
const bundle = await bundleEntry(pipelinesDir, "src/ecs/cli.ts", stage, []);
for (const warning of bundle.warnings) process.stderr.write(`ecs:pack: ${warning}\n`);
chmodSync(path.join(stage, "main.js"), 0o755);
writeFileSync(
  path.join(stage, "package.json"),
  `${JSON.stringify(
    {
      name: "@platform/ecs",
      version,
      description: "The ecs deploy tool of the ECS blue/green platform, bundled (no dependencies).",
      type: "module",
      bin: { ecs: "main.js" },
      files: ["main.js", "main.js.map"],
      engines: { node: ">=24" },
    },
    null,
    2,
  )}\n`,
);
const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", packDir], {
  cwd: stage,
  encoding: "utf8",
}).trim();
process.stdout.write(
  `ecs:pack: ${path.join(packDir, tarball)} (${(bundle.size / 1024 / 1024).toFixed(1)} MiB, ${bundle.inputs} files bundled)\n`,
);
