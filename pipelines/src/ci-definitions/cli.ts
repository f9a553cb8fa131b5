#!/usr/bin/env node
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { parseCommandLine } from "../command-line.js";
import { findRepoRoot } from "../image/repo-root.js";
import { ciDefinitionFiles, REGENERATE_COMMAND } from "./definitions.js";
import { staleFiles } from "./generated-file.js";

// npm run ci-definitions -w @platform/pipelines [-- --check]
// Writes .github/workflows/*.yml and .teamcity/settings.kts from the stage table; --check writes
// nothing and exits 1 when a committed file differs. Exit codes: 0 done/fresh, 1 stale, 3 bad usage.

export function main(
  argv: string[],
  log: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): number {
  const program = new Command("ci-definitions")
    .description(
      "generate the GitHub Actions workflows and the TeamCity settings from the pipeline's stage table",
    )
    .option("--check", "write nothing; exit 1 when a committed definition is stale");
  const exit = parseCommandLine(program, argv);
  if (exit !== undefined) return exit;
  const { check } = program.opts<{ check?: boolean }>();
  const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
  const files = ciDefinitionFiles(repoRoot);
  const stale = staleFiles(repoRoot, files);
  if (check) {
    for (const file of stale) log(`stale: ${file.path} (regenerate with ${REGENERATE_COMMAND})`);
    if (stale.length === 0) log(`fresh: ${files.map((f) => f.path).join(", ")}`);
    return stale.length === 0 ? 0 : 1;
  }
  for (const file of files) {
    const path = join(repoRoot, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.text);
    log(`${stale.includes(file) ? "wrote" : "unchanged"}: ${file.path}`);
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2));
}
