import { ENVIRONMENT_NAMES, type EnvironmentName, type PlatformSpec } from "@platform/env";
import { environmentStack } from "./environment-stack.js";
import { SHARED_STACK } from "./naming.js";
import type { StackSettings } from "./settings.js";
import { sharedStack } from "./shared-stack.js";

/** The stack's resources and outputs: `shared` first, then one stack per environment (qa, prod). */
export function defineStack(stack: string, spec: PlatformSpec, settings: StackSettings) {
  if (stack === SHARED_STACK) return sharedStack(spec, settings);
  if (isEnvironment(stack)) return environmentStack(stack, spec, settings);
  throw new Error(
    `unknown stack "${stack}": this program has the stacks ${[SHARED_STACK, ...ENVIRONMENT_NAMES].join(", ")}`,
  );
}

function isEnvironment(stack: string): stack is EnvironmentName {
  return (ENVIRONMENT_NAMES as readonly string[]).includes(stack);
}
