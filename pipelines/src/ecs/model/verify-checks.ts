import type { LoadBalancer, TaskDefinition } from "@aws-sdk/client-ecs";

export type CheckStatus = "ok" | "failed" | "skipped";

export interface Check {
  kind: "image" | "role" | "log-group" | "target-group" | "secret";
  subject: string;
  status: CheckStatus;
  detail: string;
}

/** Each load balancer of the service must name a container of the revision that maps that port. */
export function portMappingChecks(
  taskDefinition: TaskDefinition,
  loadBalancers: readonly LoadBalancer[],
): Check[] {
  return loadBalancers.map((lb) => {
    const subject = `${lb.targetGroupArn ?? lb.loadBalancerName ?? "load balancer"} -> ${lb.containerName}:${lb.containerPort}`;
    const container = taskDefinition.containerDefinitions?.find((c) => c.name === lb.containerName);
    if (!container) {
      return {
        kind: "target-group",
        subject,
        status: "failed",
        detail: `no container named ${lb.containerName}`,
      };
    }
    const mapped = container.portMappings?.some((p) => p.containerPort === lb.containerPort);
    return mapped
      ? { kind: "target-group", subject, status: "ok", detail: "container port is mapped" }
      : {
          kind: "target-group",
          subject,
          status: "failed",
          detail: `container ${lb.containerName} maps ports [${(container.portMappings ?? []).map((p) => p.containerPort).join(", ")}], not ${lb.containerPort}`,
        };
  });
}

/** `arn:aws:ssm:r:a:parameter/x/y` → `/x/y`; a plain name stays as it is. */
export function ssmParameterName(valueFrom: string): string {
  const match = /^arn:aws[a-z-]*:ssm:[^:]*:\d*:parameter(\/.+)$/.exec(valueFrom);
  if (!match) return valueFrom;
  const path = match[1]!;
  // ARNs of top-level names carry one slash that is not part of the name.
  return path.slice(1).includes("/") ? path : path.slice(1);
}

/** `arn:aws:secretsmanager:...:secret:name-AbCdEf:json-key:stage:version` → the secret's ARN. */
export function secretsManagerId(valueFrom: string): string | undefined {
  const match = /^(arn:aws[a-z-]*:secretsmanager:[^:]*:\d*:secret:[^:]+)/.exec(valueFrom);
  return match?.[1];
}

export function failedChecks(checks: readonly Check[]): Check[] {
  return checks.filter((c) => c.status === "failed");
}
