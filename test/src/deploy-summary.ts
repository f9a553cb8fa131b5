// Pure: the deploys a scenario ran, as the report's rows and plot markers.

export interface DeployRecord {
  service: string;
  strategy: string;
  /** The deploy's number within its service (1, 2, 3). */
  round: number;
  startedAt: number;
  endedAt: number;
  /** `ecs deploy`'s exit code (null: killed at its time limit). */
  exitCode: number | null;
  /** The service deployment's status as ECS reports it afterwards (SUCCESSFUL, ROLLBACK_SUCCESSFUL...). */
  outcome: string;
}

export const deployName = (d: DeployRecord) => `${d.service} #${d.round} (${d.strategy})`;

/** Succeeded: the CLI exited 0 and ECS calls the service deployment SUCCESSFUL. */
export const deploySucceeded = (d: DeployRecord) => d.exitCode === 0 && d.outcome === "SUCCESSFUL";

/** One figure per deploy: seconds from the load's start, its duration, the CLI's exit and ECS's outcome. */
export function deployFigures(deploys: readonly DeployRecord[], origin: number): Record<string, string> {
  const s = (ms: number) => (ms / 1000).toFixed(1);
  return Object.fromEntries(
    [...deploys]
      .sort((a, b) => a.startedAt - b.startedAt)
      .map((d) => [
        `deploy ${deployName(d)}`,
        `${s(d.endedAt - d.startedAt)} s (at ${s(d.startedAt - origin)}–${s(d.endedAt - origin)} s), exit ${d.exitCode}, ${d.outcome}`,
      ]),
  );
}

/** A marker at each deploy's start and end, seconds from `origin`. */
export function deployMarkers(
  deploys: readonly DeployRecord[],
  origin: number,
): { t: number; label: string }[] {
  return deploys
    .flatMap((d) => [
      { t: (d.startedAt - origin) / 1000, label: `${d.service} #${d.round} start` },
      { t: (d.endedAt - origin) / 1000, label: `${d.service} #${d.round} end` },
    ])
    .sort((a, b) => a.t - b.t);
}
