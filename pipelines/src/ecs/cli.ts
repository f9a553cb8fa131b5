#!/usr/bin/env node
import { processRuntime } from "./commands/common.js";
import { processSink } from "./output/reporter.js";
import { runCli } from "./program.js";

// The platform runs on Node 20 on purpose; the SDK's notice about its future Node 22 floor is noise in every CI log.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const exitCode = await runCli(
  process.argv.slice(2),
  processRuntime((redactor) => processSink(redactor)),
  (text) => process.stderr.write(text),
  (text) => process.stdout.write(text),
);
process.exitCode = exitCode;
