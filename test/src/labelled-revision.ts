import {
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from "@aws-sdk/client-ecs";
import type { RegionClients } from "./region-process.js";

/**
 * A new revision of the task definition `current`: the same image and settings, a docker label of its
 * own. `npm start` compares image, ports, environment, secrets and logging (not labels), so after a
 * region restart it leaves a deploy of this revision to the region; a new image (pushAppVariant)
 * would be redeployed by npm start's own convergence and the deploy under test superseded.
 */
export async function registerLabelledRevision(
  clients: RegionClients,
  current: string,
  label: string,
): Promise<string> {
  const td = (await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: current })))
    .taskDefinition;
  if (!td) throw new Error(`no task definition ${current}`);
  const input = {
    family: td.family,
    taskRoleArn: td.taskRoleArn,
    executionRoleArn: td.executionRoleArn,
    networkMode: td.networkMode,
    requiresCompatibilities: td.requiresCompatibilities,
    cpu: td.cpu,
    memory: td.memory,
    containerDefinitions: td.containerDefinitions?.map((c) => ({
      ...c,
      dockerLabels: { ...c.dockerLabels, "e2e.reliability": label },
    })),
  } as RegisterTaskDefinitionCommandInput;
  const out = await clients.ecs.send(new RegisterTaskDefinitionCommand(input));
  return out.taskDefinition?.taskDefinitionArn as string;
}
