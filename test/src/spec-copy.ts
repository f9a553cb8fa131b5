import type { SuitePorts } from "./ports.js";

/** Other local settings a suite needs: e.g. a bake long enough for an alarm to fire in it. */
export interface LocalOverrides {
  maxDeploymentBakeSeconds?: number;
}

/**
 * The environment spec with the local ports replaced, so `npm start` (PLATFORM_SPEC) runs a region
 * that can't collide with a developer's. Only the `local:` section's port lines are touched; a spec
 * whose lines are not where expected is refused rather than silently left on the default ports.
 */
export function specWithPorts(specText: string, ports: SuitePorts, local: LocalOverrides = {}): string {
  const replacements: [RegExp, string][] = [
    [/^(\s*awsEndpointPort:\s*)\d+\s*$/m, `$1${ports.aws}`],
    [/^(\s*httpPort:\s*)\d+\s*$/m, `$1${ports.http}`],
    [/^(\s*httpsPort:\s*)\d+\s*$/m, `$1${ports.https}`],
    [/^(\s*taskPorts:\s*)\{[^}]*\}/m, `$1{ from: ${ports.tasks.from}, to: ${ports.tasks.to} }`],
    [/^(\s*mediaUdpPorts:\s*)\{[^}]*\}/m, `$1{ from: ${ports.mediaUdp.from}, to: ${ports.mediaUdp.to} }`],
    ...(local.maxDeploymentBakeSeconds === undefined
      ? []
      : ([[/^(\s*maxDeploymentBakeSeconds:\s*)\d+\s*$/m, `$1${local.maxDeploymentBakeSeconds}`]] as [
          RegExp,
          string,
        ][])),
  ];
  let text = specText;
  for (const [pattern, replacement] of replacements) {
    if (!pattern.test(text)) throw new Error(`the spec has no line matching ${pattern}`);
    text = text.replace(pattern, replacement);
  }
  return text;
}
