#!/usr/bin/env node
import { Command } from "commander";
import { DEFAULT_SPEC_FILE, loadSpec, SpecError } from "./load.js";
import { serviceName } from "./names.js";
import { AwsSecretLocator, runtimeConfig } from "./runtime-config.js";
import { AwsSecretResolver, buildRuntimeEnv, maskedEnv, writeEnvFile } from "./runtime-env.js";
import { APP_NAMES, type AppName, ENVIRONMENT_NAMES, type EnvironmentName } from "./schema.js";

const program = new Command("env")
  .description("The environment spec: validate it, and render a service's runtime env file")
  .option("-f, --file <path>", "spec file", DEFAULT_SPEC_FILE);

program
  .command("validate")
  .description("validate the spec and print a summary")
  .action(() => {
    const spec = loadSpec(program.opts().file);
    for (const env of ENVIRONMENT_NAMES) {
      for (const app of APP_NAMES) {
        const s = spec.environments[env].services[app];
        console.log(`${serviceName(app, env)}: ${s.desiredCount} task(s), ${s.cpu} cpu, ${s.memory} MiB`);
      }
    }
    console.log("spec is valid");
  });

program
  .command("render")
  .description("write the runtime env file of a service, secrets resolved from SSM / Secrets Manager")
  .argument("<environment>", ENVIRONMENT_NAMES.join("|"))
  .argument("<app>", APP_NAMES.join("|"))
  .requiredOption("-o, --out <path>", "file to write (mode 0600)")
  .action(async (env: string, app: string, opts: { out: string }) => {
    const [environment, appName] = checkService(env, app);
    const spec = loadSpec(program.opts().file);
    const service = spec.environments[environment].services[appName];
    const runtimeEnv = await buildRuntimeEnv(service, new AwsSecretResolver());
    writeEnvFile(opts.out, runtimeEnv);
    for (const [name, value] of Object.entries(maskedEnv(runtimeEnv))) console.log(`${name}=${value}`);
    console.log(`wrote ${opts.out}`);
  });

program
  .command("config")
  .description(
    "print a service's runtime configuration for its task definition: settings, and secrets as references (values are never read)",
  )
  .argument("<environment>", ENVIRONMENT_NAMES.join("|"))
  .argument("<app>", APP_NAMES.join("|"))
  .action(async (env: string, app: string) => {
    const spec = loadSpec(program.opts().file);
    const [environment, appName] = checkService(env, app);
    const config = await runtimeConfig(spec, environment, appName, new AwsSecretLocator());
    console.log(JSON.stringify(config, null, 2));
  });

function checkService(env: string, app: string): [EnvironmentName, AppName] {
  if (!ENVIRONMENT_NAMES.includes(env as EnvironmentName))
    throw new UsageError(`unknown environment "${env}"`);
  if (!APP_NAMES.includes(app as AppName)) throw new UsageError(`unknown app "${app}"`);
  return [env as EnvironmentName, app as AppName];
}

class UsageError extends Error {}

program.parseAsync().catch((error: unknown) => {
  // One line (or the spec's list of problems), never a stack trace.
  console.error(
    error instanceof SpecError || error instanceof UsageError
      ? error.message
      : `error: ${String((error as Error).message ?? error)}`,
  );
  process.exit(error instanceof UsageError ? 3 : 1);
});
