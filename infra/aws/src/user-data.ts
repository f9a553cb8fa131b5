/**
 * The instance's boot script: join the cluster and set the agent's defaults. The stop timeout is the
 * longest task stopTimeout, so the agent's default never cuts a drain shorter than the task asked for.
 */
export function ecsUserData(clusterName: string, stopTimeoutSeconds: number): string {
  const config = [
    `ECS_CLUSTER=${clusterName}`,
    "ECS_ENABLE_CONTAINER_METADATA=true",
    `ECS_CONTAINER_STOP_TIMEOUT=${stopTimeoutSeconds}s`,
  ];
  return [
    "#!/bin/bash",
    "set -euo pipefail",
    "cat >> /etc/ecs/ecs.config <<'CONFIG'",
    ...config,
    "CONFIG",
    "",
  ].join("\n");
}
