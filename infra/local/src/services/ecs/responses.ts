import type { Durable, OperationHandler, TargetGroups } from "../../contracts.js";
import { mutating } from "../../state/durable.js";
import { paginate } from "../../wire/paging.js";
import {
  clusterRef,
  familiesFilter,
  includesTags,
  invalidToken,
  listTaskDefinitionsFilter,
  listTasksFilter,
  pageRequest,
  references,
  tagsOf,
} from "./input/requests.js";
import {
  continueServiceDeploymentInput,
  createServiceInput,
  deleteServiceInput,
  listServiceDeploymentsInput,
  stopServiceDeploymentInput,
  updateServiceInput,
} from "./input/services.js";
import { taskDefinitionRequest } from "./input/task-definitions.js";
import { optionalString, stringList } from "./input/values.js";
import type { EcsModel } from "./model/ecs-model.js";
import { parseTaskDefinitionInput } from "./model/task-definition-input.js";
import type { EcsState } from "./model/types.js";
import {
  clusterView,
  containerInstanceView,
  serviceDeploymentBriefView,
  serviceDeploymentView,
  serviceView,
  taskDefinitionView,
  taskView,
} from "./views.js";

// ECS's awsJson1_1 operations: decoded input, model call, commit, ECS's JSON.

export function ecsOperations(
  model: EcsModel,
  durable: Durable<EcsState>,
  targetGroups: TargetGroups,
): Record<string, OperationHandler> {
  const change = (handler: OperationHandler) => mutating(durable, handler);
  const tgExists = (arn: string) => {
    try {
      targetGroups.describe(arn);
      return true;
    } catch {
      return false;
    }
  };
  const page = <T>(items: T[], input: Record<string, unknown>) =>
    paginate(items, pageRequest(input), invalidToken);
  const taskDefinitionRef = (input: Record<string, unknown>) =>
    optionalString(input.taskDefinition, "taskDefinition");

  return {
    CreateCluster: change((input) => {
      const name = optionalString(input.clusterName, "clusterName");
      return { cluster: clusterView(model, model.createCluster(name, tagsOf(input.tags))) };
    }),
    DeleteCluster: change((input) => ({
      cluster: clusterView(model, model.deleteCluster(clusterRef(input))),
    })),
    DescribeClusters: (input) => {
      const refs = input.clusters === undefined ? ["default"] : stringList(input.clusters, "clusters");
      const { clusters, failures } = model.describeClusters(refs);
      return { clusters: clusters.map((c) => clusterView(model, c)), failures };
    },
    ListClusters: (input) => {
      const { items, next } = page(model.listClusters(), input);
      return { clusterArns: items, nextToken: next };
    },

    RegisterTaskDefinition: change((input) => {
      const tags = tagsOf(input.tags);
      const definition = parseTaskDefinitionInput(taskDefinitionRequest(input));
      return { taskDefinition: taskDefinitionView(model.registerTaskDefinition(definition, tags)), tags };
    }),
    DescribeTaskDefinition: (input) => {
      const td = model.findTaskDefinition(taskDefinitionRef(input));
      return {
        taskDefinition: taskDefinitionView(td),
        ...(includesTags(input) ? { tags: model.tagsOf(td.taskDefinitionArn) } : {}),
      };
    },
    DeregisterTaskDefinition: change((input) => ({
      taskDefinition: taskDefinitionView(model.deregisterTaskDefinition(taskDefinitionRef(input))),
    })),
    ListTaskDefinitions: (input) => {
      const { items, next } = page(model.listTaskDefinitions(listTaskDefinitionsFilter(input)), input);
      return { taskDefinitionArns: items, nextToken: next };
    },
    ListTaskDefinitionFamilies: (input) => {
      const { familyPrefix, status } = familiesFilter(input);
      const { items, next } = page(model.listTaskDefinitionFamilies(familyPrefix, status), input);
      return { families: items, nextToken: next };
    },

    CreateService: change((input) => {
      const request = createServiceInput(input);
      return { service: serviceView(model, model.createService(request, tagsOf(input.tags), tgExists)) };
    }),
    UpdateService: change((input) => ({
      service: serviceView(model, model.updateService(updateServiceInput(input), tgExists)),
    })),
    DeleteService: change((input) => ({
      service: serviceView(model, model.deleteService(deleteServiceInput(input))),
    })),
    DescribeServices: (input) => {
      const refs = references(input, "services", 10);
      const { services, failures } = model.describeServices(clusterRef(input), refs);
      return { services: services.map((s) => serviceView(model, s)), failures };
    },
    ListServices: (input) => {
      const { items, next } = page(model.listServices(clusterRef(input)), input);
      return { serviceArns: items, nextToken: next };
    },

    ListTasks: (input) => {
      const { items, next } = page(model.listTasks(listTasksFilter(input)), input);
      return { taskArns: items, nextToken: next };
    },
    DescribeTasks: (input) => {
      const cluster = clusterRef(input);
      model.findCluster(cluster);
      const { tasks, failures } = model.describeTasks(cluster, references(input, "tasks", 100));
      const withTags = includesTags(input);
      return { tasks: tasks.map((t) => taskView(model, t, withTags)), failures };
    },
    StopTask: change((input) => {
      const task = optionalString(input.task, "task");
      const reason = optionalString(input.reason, "reason");
      return { task: taskView(model, model.stopTask(clusterRef(input), task, reason), false) };
    }),

    ListServiceDeployments: (input) => {
      const { items, next } = page(model.listServiceDeployments(listServiceDeploymentsInput(input)), input);
      return { serviceDeployments: items.map(serviceDeploymentBriefView), nextToken: next };
    },
    DescribeServiceDeployments: (input) => {
      const arns = references(input, "serviceDeploymentArns", 20, "deployments");
      const { serviceDeployments, failures } = model.describeServiceDeployments(arns);
      return {
        serviceDeployments: serviceDeployments.map((sd) => serviceDeploymentView(model, sd)),
        failures,
      };
    },
    StopServiceDeployment: change((input) => ({
      serviceDeploymentArn: model.stopServiceDeployment(stopServiceDeploymentInput(input))
        .serviceDeploymentArn,
    })),

    DescribeServiceRevisions: (input) => {
      const arns = references(input, "serviceRevisionArns", 20, "revisions");
      const { serviceRevisions, failures } = model.describeServiceRevisions(arns);
      return {
        serviceRevisions: serviceRevisions.map((r) => ({ ...r, launchType: "EC2", containerImages: [] })),
        failures,
      };
    },
    ContinueServiceDeployment: change((input) => ({
      serviceDeploymentArn: model.continueServiceDeployment(continueServiceDeploymentInput(input))
        .serviceDeploymentArn,
    })),

    TagResource: change((input) => {
      const arn = optionalString(input.resourceArn, "resourceArn");
      model.tagResource(arn, tagsOf(input.tags));
      return {};
    }),
    UntagResource: change((input) => {
      const arn = optionalString(input.resourceArn, "resourceArn");
      model.untagResource(arn, stringList(input.tagKeys, "tagKeys"));
      return {};
    }),
    ListTagsForResource: (input) => ({
      tags: model.tagsOf(optionalString(input.resourceArn, "resourceArn")),
    }),

    ListContainerInstances: (input) => ({
      containerInstanceArns: [model.containerInstance(clusterRef(input)).arn],
    }),
    DescribeContainerInstances: (input) => {
      const instance = model.containerInstance(clusterRef(input));
      const refs = stringList(input.containerInstances, "containerInstances");
      const wanted = (ref: string) => ref === instance.arn || ref === instance.ec2InstanceId;
      return {
        containerInstances: refs.some(wanted) ? [containerInstanceView(instance)] : [],
        failures: refs.filter((r) => !wanted(r)).map((r) => ({ arn: r, reason: "MISSING" })),
      };
    },
  };
}
