/**
 * The instance's boot script: join the cluster and set the agent's defaults. The stop timeout is the
 * longest task stopTimeout, so the agent's default never cuts a drain shorter than the task asked for.
 * The dynamic host port range (agent 1.70+) keeps hostPort-0 mappings inside the ports the security
 * group opens, instead of Docker's whole ephemeral range.
 */
export function ecsUserData(
  clusterName: string,
  stopTimeoutSeconds: number,
  dynamicHostPorts: { from: number; to: number },
): string {
  const config = [
    `ECS_CLUSTER=${clusterName}`,
    "ECS_ENABLE_CONTAINER_METADATA=true",
    `ECS_CONTAINER_STOP_TIMEOUT=${stopTimeoutSeconds}s`,
    `ECS_DYNAMIC_HOST_PORT_RANGE=${dynamicHostPorts.from}-${dynamicHostPorts.to}`,
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
