import type { JsonServiceDefinition, TargetGroups } from "../../contracts.js";
import {
  formatCluster,
  formatService,
  formatServiceDeployment,
  formatServiceDeploymentBrief,
  formatTask,
  formatTaskDefinition,
} from "./format.js";
import { containerInstanceArn, nameFromArnOrName } from "./model/arns.js";
import type { EcsModel } from "./model/ecs-model.js";
import { parseTags } from "./model/tags.js";
import { parseTaskDefinitionInput } from "./model/task-definition-input.js";
import { invalid, optionalString, stringList } from "./model/validation.js";
import { paginate } from "./paginate.js";

// The ECS wire: awsJson1_1 operations decoded into model calls, model records encoded as ECS's JSON.

export const ECS_TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113";

export function ecsServiceDefinition(model: EcsModel, targetGroups: TargetGroups): JsonServiceDefinition {
  const ctx = model.ctx;
  const tgExists = (arn: string) => {
    try {
      targetGroups.describe(arn);
      return true;
    } catch {
      return false;
    }
  };
  const includeTags = (input: Record<string, unknown>) =>
    stringList(input.include, "include").includes("TAGS");

  return {
    protocol: "awsJson1_1",
    signingName: "ecs",
    targetPrefix: ECS_TARGET_PREFIX,
    operations: {
      CreateCluster: (input) => ({
        cluster: formatCluster(
          ctx,
          model.createCluster(optionalString(input.clusterName, "clusterName"), parseTags(input.tags)),
        ),
      }),
      DeleteCluster: (input) => ({ cluster: formatCluster(ctx, model.deleteCluster(input.cluster)) }),
      DescribeClusters: (input) => {
        const refs = input.clusters === undefined ? ["default"] : stringList(input.clusters, "clusters");
        const clusters = [];
        const failures = [];
        for (const ref of refs) {
          const found = model.state.clusters[nameFromArnOrName(ref)];
          if (found) clusters.push(formatCluster(ctx, found));
          else
            failures.push({
              arn: ref.startsWith("arn:")
                ? ref
                : `arn:aws:ecs:${ctx.partition.region}:${ctx.partition.accountId}:cluster/${ref}`,
              reason: "MISSING",
            });
        }
        return { clusters, failures };
      },
      ListClusters: (input) => {
        const arns = Object.values(model.state.clusters)
          .filter((c) => c.status === "ACTIVE")
          .map((c) => c.clusterArn);
        const page = paginate(arns, input);
        return { clusterArns: page.items, ...page.next };
      },

      RegisterTaskDefinition: (input) => {
        const tags = parseTags(input.tags);
        const td = model.registerTaskDefinition(parseTaskDefinitionInput(input), tags);
        return { taskDefinition: formatTaskDefinition(td), tags };
      },
      DescribeTaskDefinition: (input) => {
        const td = model.findTaskDefinition(input.taskDefinition);
        return {
          taskDefinition: formatTaskDefinition(td),
          ...(includeTags(input) ? { tags: model.tagsOf(td.taskDefinitionArn) } : {}),
        };
      },
      DeregisterTaskDefinition: (input) => ({
        taskDefinition: formatTaskDefinition(model.deregisterTaskDefinition(input.taskDefinition)),
      }),
      ListTaskDefinitions: (input) => {
        const status = (optionalString(input.status, "status") ?? "ACTIVE") as "ACTIVE" | "INACTIVE";
        if (!["ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS"].includes(status))
          throw invalid("status must be ACTIVE or INACTIVE.");
        const sort = (optionalString(input.sort, "sort") ?? "ASC") as "ASC" | "DESC";
        if (sort !== "ASC" && sort !== "DESC") throw invalid("sort must be ASC or DESC.");
        const familyPrefix = optionalString(input.familyPrefix, "familyPrefix");
        const arns = model.listTaskDefinitions({ status, sort, ...(familyPrefix ? { familyPrefix } : {}) });
        const page = paginate(arns, input);
        return { taskDefinitionArns: page.items, ...page.next };
      },
      ListTaskDefinitionFamilies: (input) => {
        const status = (optionalString(input.status, "status") ?? "ACTIVE") as "ACTIVE" | "INACTIVE" | "ALL";
        if (!["ACTIVE", "INACTIVE", "ALL"].includes(status))
          throw invalid("status must be ACTIVE, INACTIVE or ALL.");
        const page = paginate(
          model.listTaskDefinitionFamilies(optionalString(input.familyPrefix, "familyPrefix"), status),
          input,
        );
        return { families: page.items, ...page.next };
      },

      CreateService: (input) => ({
        service: formatService(ctx, model.createService(input, parseTags(input.tags), tgExists)),
      }),
      UpdateService: (input) => ({ service: formatService(ctx, model.updateService(input, tgExists)) }),
      DeleteService: (input) => ({ service: formatService(ctx, model.deleteService(input)) }),
      DescribeServices: (input) => {
        const refs = stringList(input.services, "services");
        if (refs.length === 0 || refs.length > 10) throw invalid("services must name 1 to 10 services.");
        const { services, failures } = model.describeServices(input.cluster, refs);
        return { services: services.map((s) => formatService(ctx, s)), failures };
      },
      ListServices: (input) => {
        const cluster = model.findCluster(input.cluster);
        const arns = model
          .services()
          .filter((s) => s.clusterArn === cluster.clusterArn && s.status === "ACTIVE")
          .map((s) => s.serviceArn);
        const page = paginate(arns, input);
        return { serviceArns: page.items, ...page.next };
      },

      ListTasks: (input) => {
        const arns = model.listTasks({
          cluster: input.cluster,
          ...optional("serviceName", optionalString(input.serviceName, "serviceName")),
          ...optional("family", optionalString(input.family, "family")),
          ...optional("startedBy", optionalString(input.startedBy, "startedBy")),
          ...optional("desiredStatus", optionalString(input.desiredStatus, "desiredStatus")),
        });
        const page = paginate(arns, input);
        return { taskArns: page.items, ...page.next };
      },
      DescribeTasks: (input) => {
        const cluster = model.findCluster(input.cluster);
        const refs = stringList(input.tasks, "tasks");
        if (refs.length === 0 || refs.length > 100) throw invalid("tasks must name 1 to 100 tasks.");
        const tasks = [];
        const failures = [];
        for (const ref of refs) {
          const task = model.findTaskInCluster(cluster.clusterArn, ref);
          if (task) tasks.push(formatTask(ctx, task, includeTags(input)));
          else failures.push({ arn: ref, reason: "MISSING" });
        }
        return { tasks, failures };
      },
      StopTask: (input) => ({
        task: formatTask(ctx, model.stopTask(input.cluster, input.task, input.reason), false),
      }),

      ListServiceDeployments: (input) => {
        const page = paginate(model.listServiceDeployments(input), input);
        return { serviceDeployments: page.items.map(formatServiceDeploymentBrief), ...page.next };
      },
      DescribeServiceDeployments: (input) => {
        const arns = stringList(input.serviceDeploymentArns, "serviceDeploymentArns");
        if (arns.length === 0 || arns.length > 20)
          throw invalid("serviceDeploymentArns must name 1 to 20 deployments.");
        const serviceDeployments = [];
        const failures = [];
        for (const arn of arns) {
          const sd = model.state.serviceDeployments[arn];
          if (sd) serviceDeployments.push(formatServiceDeployment(ctx, sd));
          else failures.push({ arn, reason: "MISSING" });
        }
        return { serviceDeployments, failures };
      },
      StopServiceDeployment: (input) => ({
        serviceDeploymentArn: model.stopServiceDeployment(input).serviceDeploymentArn,
      }),

      TagResource: (input) => {
        model.tagResource(input.resourceArn, parseTags(input.tags));
        return {};
      },
      UntagResource: (input) => {
        model.untagResource(input.resourceArn, stringList(input.tagKeys, "tagKeys"));
        return {};
      },
      ListTagsForResource: (input) => ({ tags: model.tagsOf(input.resourceArn) }),

      ListContainerInstances: (input) => {
        const cluster = model.findCluster(input.cluster);
        return { containerInstanceArns: [instanceArn(model, cluster.clusterName)] };
      },
      DescribeContainerInstances: (input) => {
        const cluster = model.findCluster(input.cluster);
        const arn = instanceArn(model, cluster.clusterName);
        const refs = stringList(input.containerInstances, "containerInstances");
        const wanted = (ref: string) => ref === arn || ref === model.state.containerInstanceId;
        return {
          containerInstances: refs.some(wanted) ? [formatInstance(model, cluster.clusterArn, arn)] : [],
          failures: refs.filter((r) => !wanted(r)).map((r) => ({ arn: r, reason: "MISSING" })),
        };
      },
    },
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

function instanceArn(model: EcsModel, clusterName: string): string {
  return containerInstanceArn(model.ctx.partition, clusterName, model.state.containerInstanceId);
}

function formatInstance(model: EcsModel, clusterArn: string, arn: string) {
  const tasks = model.liveTasks().filter((t) => t.clusterArn === clusterArn);
  return {
    containerInstanceArn: arn,
    ec2InstanceId: model.state.containerInstanceId,
    status: "ACTIVE",
    agentConnected: true,
    runningTasksCount: tasks.filter((t) => t.lastStatus === "RUNNING").length,
    pendingTasksCount: tasks.filter((t) => t.lastStatus !== "RUNNING").length,
    registeredAt: model.state.containerInstanceRegisteredAt,
    versionInfo: { agentVersion: "local", agentHash: "local", dockerVersion: "none (processes)" },
    attributes: [{ name: "ecs.os-type", value: "linux" }],
  };
}
