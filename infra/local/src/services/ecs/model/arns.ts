import { randomBytes, randomInt } from "node:crypto";

// ECS ARNs in the long format (every ARN names its cluster) and the ids ECS generates.

export interface Partition {
  region: string;
  accountId: string;
}

const prefix = (p: Partition) => `arn:aws:ecs:${p.region}:${p.accountId}`;

export const clusterArn = (p: Partition, cluster: string) => `${prefix(p)}:cluster/${cluster}`;
export const taskDefinitionArn = (p: Partition, family: string, revision: number) =>
  `${prefix(p)}:task-definition/${family}:${revision}`;
export const serviceArn = (p: Partition, cluster: string, service: string) =>
  `${prefix(p)}:service/${cluster}/${service}`;
export const taskArn = (p: Partition, cluster: string, taskId: string) =>
  `${prefix(p)}:task/${cluster}/${taskId}`;
export const containerArn = (p: Partition, cluster: string, taskId: string, name: string) =>
  `${prefix(p)}:container/${cluster}/${taskId}/${name}`;
export const containerInstanceArn = (p: Partition, cluster: string, instanceId: string) =>
  `${prefix(p)}:container-instance/${cluster}/${instanceId}`;
export const serviceDeploymentArn = (p: Partition, cluster: string, service: string, id: string) =>
  `${prefix(p)}:service-deployment/${cluster}/${service}/${id}`;
export const serviceRevisionArn = (p: Partition, cluster: string, service: string, id: string) =>
  `${prefix(p)}:service-revision/${cluster}/${service}/${id}`;

/** 32 hex characters, like an ECS task id. */
export const newTaskId = () => randomBytes(16).toString("hex");

/** `ecs-svc/` and 19 digits, like an ECS deployment id. */
export const newDeploymentId = () => {
  let digits = String(randomInt(1, 10));
  while (digits.length < 19) digits += String(randomInt(0, 10));
  return `ecs-svc/${digits}`;
};

/** The short id ECS uses in service-deployment and service-revision ARNs. */
export const newShortId = () => randomBytes(15).toString("base64url").slice(0, 20);

/** The local container instance: `i-0local` and 9 hex digits, stable for the region's lifetime. */
export const newInstanceId = () => `i-0local${randomBytes(5).toString("hex").slice(0, 9)}`;

/** The last path segment of an ARN, or the text itself when it is a plain name. */
export function nameFromArnOrName(value: string): string {
  if (!value.startsWith("arn:")) return value;
  const slash = value.lastIndexOf("/");
  return slash >= 0 ? value.slice(slash + 1) : value;
}
