#!/usr/bin/env node
import { processRuntime } from "./commands/common.js";
import { processSink } from "./output/reporter.js";
import { runCli } from "./program.js";

const exitCode = await runCli(
  process.argv.slice(2),
  processRuntime((redactor) => processSink(redactor)),
  (text) => process.stderr.write(text),
  (text) => process.stdout.write(text),
);
process.exitCode = exitCode;
