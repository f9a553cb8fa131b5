import {
  type DeploymentConfiguration,
  DeregisterTaskDefinitionCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListServiceDeploymentsCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type Service,
  type ServiceDeploymentBrief,
  StopServiceDeploymentCommand,
  type Tag,
  TagResourceCommand,
  type Task,
  type TaskDefinition,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { UsageError } from "../model/errors.js";

/** The ECS calls the CLI makes (its client retries them: retry.ts); nothing here decides anything. */
export class EcsGateway {
  private readonly instanceIds = new Map<string, string>();

  constructor(private readonly ecs: ECSClient) {}

  async service(cluster: string, service: string): Promise<Service> {
    const services = await this.services(cluster, [service]);
    const found = services[0];
    if (!found) throw new UsageError(`service "${service}" not found in cluster "${cluster}"`);
    if (found.status !== "ACTIVE") {
      throw new UsageError(`service "${service}" in cluster "${cluster}" is ${found.status}`);
    }
    return found;
  }

  /** DescribeServices in batches of 10; services that do not exist are left out. */
  services(cluster: string, names: string[]): Promise<Service[]> {
    return inBatches(names, 10, async (services) => {
      const answer = await this.ecs.send(new DescribeServicesCommand({ cluster, services }));
      return answer.services ?? [];
    });
  }

  async serviceNames(cluster: string): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.ecs.send(new ListServicesCommand({ cluster, nextToken, maxResults: 100 }));
      arns.push(...(page.serviceArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return arns.map((arn) => arn.slice(arn.lastIndexOf("/") + 1));
  }

  async taskDefinition(id: string): Promise<{ taskDefinition: TaskDefinition; tags: Tag[] }> {
    try {
      const answer = await this.ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: id, include: ["TAGS"] }),
      );
      if (!answer.taskDefinition) throw new UsageError(`task definition "${id}" not found`);
      return { taskDefinition: answer.taskDefinition, tags: answer.tags ?? [] };
    } catch (error) {
      if (error instanceof Error && error.name === "ClientException") {
        throw new UsageError(`task definition "${id}": ${error.message}`);
      }
      throw error;
    }
  }

  async register(input: RegisterTaskDefinitionCommandInput): Promise<TaskDefinition> {
    const answer = await this.ecs.send(new RegisterTaskDefinitionCommand(input));
    if (!answer.taskDefinition?.taskDefinitionArn)
      throw new Error("RegisterTaskDefinition returned no revision");
    return answer.taskDefinition;
  }

  /**
   * Points the service at a revision, with a changed deploymentConfiguration when given (the whole
   * object: UpdateService replaces it). Never sends desiredCount: auto scaling owns it.
   */
  async updateTaskDefinition(
    cluster: string,
    service: string,
    taskDefinition: string,
    deploymentConfiguration?: DeploymentConfiguration,
  ): Promise<Service> {
    const answer = await this.ecs.send(
      new UpdateServiceCommand({
        cluster,
        service,
        taskDefinition,
        ...(deploymentConfiguration ? { deploymentConfiguration } : {}),
      }),
    );
    if (!answer.service) throw new Error("UpdateService returned no service");
    return answer.service;
  }

  /** Changes only the deploymentConfiguration (the whole object); starts no deployment. */
  async updateDeploymentConfiguration(
    cluster: string,
    service: string,
    deploymentConfiguration: DeploymentConfiguration,
  ): Promise<Service> {
    const answer = await this.ecs.send(
      new UpdateServiceCommand({ cluster, service, deploymentConfiguration }),
    );
    if (!answer.service) throw new Error("UpdateService returned no service");
    return answer.service;
  }

  async scale(cluster: string, service: string, desiredCount: number): Promise<Service> {
    const answer = await this.ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount }));
    if (!answer.service) throw new Error("UpdateService returned no service");
    return answer.service;
  }

  async taskArns(cluster: string, service: string, desiredStatus: "RUNNING" | "STOPPED"): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.ecs.send(
        new ListTasksCommand({ cluster, serviceName: service, desiredStatus, nextToken }),
      );
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return arns;
  }

  /** DescribeTasks in batches of 100. */
  tasks(cluster: string, arns: string[]): Promise<Task[]> {
    return inBatches(arns, 100, async (tasks) => {
      const answer = await this.ecs.send(new DescribeTasksCommand({ cluster, tasks }));
      return answer.tasks ?? [];
    });
  }

  /** Container instance ARN → EC2 instance id (the target id of `instance` target groups), cached. */
  async ec2InstanceIds(cluster: string, containerInstanceArns: string[]): Promise<Map<string, string>> {
    const missing = [...new Set(containerInstanceArns)].filter((arn) => !this.instanceIds.has(arn));
    if (missing.length > 0) {
      const answer = await this.ecs.send(
        new DescribeContainerInstancesCommand({ cluster, containerInstances: missing.slice(0, 100) }),
      );
      for (const instance of answer.containerInstances ?? []) {
        if (instance.containerInstanceArn && instance.ec2InstanceId) {
          this.instanceIds.set(instance.containerInstanceArn, instance.ec2InstanceId);
        }
      }
    }
    return this.instanceIds;
  }

  async inProgressServiceDeployments(cluster: string, service: string): Promise<ServiceDeploymentBrief[]> {
    const answer = await this.ecs.send(
      new ListServiceDeploymentsCommand({ cluster, service, status: ["PENDING", "IN_PROGRESS"] }),
    );
    return answer.serviceDeployments ?? [];
  }

  async stopWithRollback(serviceDeploymentArn: string): Promise<void> {
    await this.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn, stopType: "ROLLBACK" }));
  }

  async activeRevisions(family: string): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.ecs.send(
        new ListTaskDefinitionsCommand({
          familyPrefix: family,
          status: "ACTIVE",
          sort: "DESC",
          nextToken,
        }),
      );
      arns.push(...(page.taskDefinitionArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    // familyPrefix is a prefix: `api` also lists `api-worker`.
    return arns.filter((arn) => arn.slice(arn.lastIndexOf("/") + 1).replace(/:\d+$/, "") === family);
  }

  async deregister(taskDefinition: string): Promise<void> {
    await this.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition }));
  }

  async tag(resourceArn: string, tags: Tag[]): Promise<void> {
    await this.ecs.send(new TagResourceCommand({ resourceArn, tags }));
  }
}

/** Calls `describe` on `items` a batch at a time (a Describe call takes at most `size`), in order. */
async function inBatches<I, O>(
  items: I[],
  size: number,
  describe: (batch: I[]) => Promise<O[]>,
): Promise<O[]> {
  const out: O[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await describe(items.slice(i, i + size))));
  return out;
}
