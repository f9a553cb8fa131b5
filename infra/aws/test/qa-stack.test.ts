import { beforeAll, describe, expect, test } from "vitest";
import { checkInvariants, type InvariantContext } from "../src/invariants/index.js";
import { type RecordedResource, TYPES } from "../src/invariants/resources.js";
import { FAKE_SECRET_VALUE, fakeSharedOutputs } from "../src/testing/fake-aws.js";
import { environmentSuite } from "./support/environment-suite.js";
import { editJson, withChange } from "./support/mutate.js";
import { repositorySpec } from "./support/spec.js";

// The qa stack's own suite, then cases that each break one thing in it: the checker must say exactly what
// and why.

const spec = repositorySpec();
const ctx: InvariantContext = {
  spec,
  stack: "qa",
  secretValues: [FAKE_SECRET_VALUE],
  instanceSecurityGroupId: String(fakeSharedOutputs().instanceSecurityGroupId),
};
const qa = environmentSuite("qa");
let resources: RecordedResource[];

beforeAll(() => {
  resources = qa().resources;
});

type Container = Record<string, unknown> & {
  portMappings: { containerPort: number; hostPort: number }[];
  logConfiguration: { options: Record<string, string> };
  environment: { name: string; value: string }[];
};
type Policy = { Statement: Record<string, unknown>[] };

const is = (type: string, name: string) => (r: RecordedResource) => r.type === type && r.name === name;
const apiTask = is(TYPES.taskDefinition, "api-qa");
const apiService = is(TYPES.service, "api-qa");
const editApiContainer = (edit: (c: Container) => void) => (r: RecordedResource) =>
  editJson<Container[]>(r, "containerDefinitions", (containers) => edit(containers[0] as Container));

const cases: [string, (r: RecordedResource) => boolean, (r: RecordedResource) => void, string][] = [
  [
    "a fixed host port",
    apiTask,
    editApiContainer((c) => {
      c.portMappings[0]!.hostPort = 8080;
    }),
    "service api-qa: port mapping 3000 has hostPort 8080; dynamic host ports need 0",
  ],
  [
    "no hard memory limit",
    apiTask,
    editApiContainer((c) => {
      delete c.memory;
    }),
    'service api-qa: container api: no hard memory limit ("memory"); without one a qa task can take the memory prod needs on a shared instance',
  ],
  [
    "an inherited awslogs mode",
    apiTask,
    editApiContainer((c) => {
      delete c.logConfiguration.options.mode;
    }),
    "service api-qa: container api: awslogs mode is not set explicitly (blocking or non-blocking); say it, don't inherit it",
  ],
  [
    "a stop timeout other than the spec's",
    apiTask,
    editApiContainer((c) => {
      c.stopTimeout = 5;
    }),
    "service api-qa: container api: stopTimeout is 5; the spec says 30 s (SIGTERM must leave time to drain)",
  ],
  [
    "an image from outside the environment's repository",
    apiTask,
    editApiContainer((c) => {
      c.image = "docker.io/library/node:20";
    }),
    "service api-qa: container api: image docker.io/library/node:20 is not from the environment's ECR repository 123456789012.dkr.ecr.eu-west-1.amazonaws.com/api-qa",
  ],
  [
    "a secret as a plain variable",
    apiTask,
    editApiContainer((c) => {
      c.environment.push({ name: "DB_PASSWORD", value: "hunter2" });
    }),
    'resource aws:ecs/taskDefinition:TaskDefinition api-qa: input containerDefinitions[0].environment variable DB_PASSWORD holds a value; put secrets in "secrets" as an SSM/Secrets Manager reference',
  ],
  [
    "a resolved secret value anywhere",
    apiTask,
    editApiContainer((c) => {
      c.environment.push({ name: "GREETING", value: `hello ${FAKE_SECRET_VALUE}` });
    }),
    "resource aws:ecs/taskDefinition:TaskDefinition api-qa: input containerDefinitions contains a secret value",
  ],
  [
    "a circuit breaker without rollback",
    apiService,
    (r) => {
      r.inputs.deploymentCircuitBreaker = { enable: true, rollback: false };
    },
    'service api-qa: deploymentCircuitBreaker is {"enable":true,"rollback":false}; it must be {enable: true, rollback: true} so a bad image rolls back without a human',
  ],
  [
    "maximumPercent below 200",
    apiService,
    (r) => {
      r.inputs.deploymentMaximumPercent = 150;
    },
    "service api-qa: deploymentMaximumPercent is 150; it needs ≥ 200 so a new task starts beside each old one",
  ],
  [
    "minimumHealthyPercent below 100",
    apiService,
    (r) => {
      r.inputs.deploymentMinimumHealthyPercent = 50;
    },
    "service api-qa: deploymentMinimumHealthyPercent is 50; it must be 100 so no old task stops before its replacement is healthy",
  ],
  [
    "pulumi up owning the task count",
    apiService,
    (r) => {
      r.ignoreChanges = ["taskDefinition"];
    },
    'service api-qa: ignoreChanges lacks "desiredCount"; pulumi up would fight auto scaling over the task count',
  ],
  [
    "pulumi up owning the task definition",
    apiService,
    (r) => {
      r.ignoreChanges = ["desiredCount"];
    },
    'service api-qa: ignoreChanges lacks "taskDefinition"; pulumi up would revert the task definition the deploy tool registered',
  ],
  [
    "mutable image tags",
    is(TYPES.repository, "api-qa"),
    (r) => {
      r.inputs.imageTagMutability = "MUTABLE";
    },
    "ECR repository api-qa: tags are MUTABLE; they must be IMMUTABLE so a tag always names the same image",
  ],
  [
    "no scan on push",
    is(TYPES.repository, "media-server-qa"),
    (r) => {
      r.inputs.imageScanningConfiguration = { scanOnPush: false };
    },
    "ECR repository media-server-qa: scanOnPush is off",
  ],
  [
    "an alarm nobody hears",
    is(TYPES.metricAlarm, "platform-qa-api-qa-cpu"),
    (r) => {
      r.inputs.okActions = [];
    },
    "alarm api-qa-cpu: okActions doesn't notify the SNS topic; nobody would hear of it",
  ],
  [
    "an alarm threshold other than the spec's",
    is(TYPES.metricAlarm, "platform-qa-api-qa-5xx"),
    (r) => {
      r.inputs.threshold = 1000;
    },
    "alarm api-qa-5xx: threshold 1000; the spec says 10",
  ],
  [
    "a recipient without a subscription",
    is(TYPES.subscription, "platform-qa-email-0"),
    (r) => {
      r.inputs.endpoint = "someone-else@example.com";
    },
    "alarms: no e-mail subscription for platform-team@example.com",
  ],
  [
    "an alarm that treats missing data as breaching",
    is(TYPES.metricAlarm, "platform-qa-media-server-qa-pipeline-failures"),
    (r) => {
      r.inputs.treatMissingData = "breaching";
    },
    'alarm media-server-qa-pipeline-failures: treatMissingData is breaching; a quiet metric must count as OK ("notBreaching")',
  ],
  [
    "a metric filter on another pattern",
    is(TYPES.metricFilter, "platform-qa-api-qa-job-failures"),
    (r) => {
      r.inputs.pattern = '{ $.action = "JobFailed" }';
    },
    'metric filter api-qa-job-failures: { $.action = "JobFailed" } on /platform/qa/api; expected { $.event = "JobFailed" } on /platform/qa/api',
  ],
  [
    "a notifier nobody subscribed",
    is(TYPES.subscription, "platform-qa-notifier-lambda"),
    (r) => {
      r.inputs.protocol = "sqs";
    },
    "alarm notifier: not subscribed to the alarm topic; no alarm would be e-mailed",
  ],
  [
    "a notifier SNS may not invoke for the alarm topic",
    is(TYPES.lambdaPermission, "platform-qa-notifier"),
    (r) => {
      delete r.inputs.sourceArn;
    },
    "alarm notifier: SNS may not invoke it for the alarm topic (lambda:InvokeFunction, sourceArn)",
  ],
  [
    "a notifier that reads another environment's logs",
    is(TYPES.rolePolicy, "platform-qa-notifier"),
    (r) =>
      editJson<Policy>(r, "policy", (p) => {
        (p.Statement[1]!.Resource as string[]).push(
          "arn:aws:logs:eu-west-1:123456789012:log-group:/platform/prod/api",
        );
      }),
    "alarm notifier: its policy grants arn:aws:logs:eu-west-1:123456789012:log-group:/platform/prod/api, outside the qa environment",
  ],
  [
    "a deploy that ignores the service's alarms",
    apiService,
    (r) => {
      r.inputs.alarms = { alarmNames: ["api-qa-5xx"], enable: true, rollback: true };
    },
    'service api-qa: deploymentConfiguration alarms are {"alarmNames":["api-qa-5xx"],"enable":true,"rollback":true}; they must name api-qa-5xx, api-qa-green-5xx and api-qa-error-logs with enable and rollback, so a deploy that sets them off rolls back',
  ],
  [
    // Green answers from the other group: blue's 5xx alarm alone would never see its errors.
    "a blue/green service whose green group's 5xx alarm is not attached",
    apiService,
    (r) => {
      r.inputs.alarms = { alarmNames: ["api-qa-5xx", "api-qa-error-logs"], enable: true, rollback: true };
    },
    'service api-qa: deploymentConfiguration alarms are {"alarmNames":["api-qa-5xx","api-qa-error-logs"],"enable":true,"rollback":true}; they must name api-qa-5xx, api-qa-green-5xx and api-qa-error-logs with enable and rollback, so a deploy that sets them off rolls back',
  ],
  [
    "a blue/green service whose alarms don't roll it back",
    apiService,
    (r) => {
      r.inputs.alarms = {
        alarmNames: ["api-qa-5xx", "api-qa-green-5xx", "api-qa-error-logs"],
        enable: true,
        rollback: false,
      };
    },
    'service api-qa: deploymentConfiguration alarms are {"alarmNames":["api-qa-5xx","api-qa-green-5xx","api-qa-error-logs"],"enable":true,"rollback":false}; they must name api-qa-5xx, api-qa-green-5xx and api-qa-error-logs with enable and rollback, so a deploy that sets them off rolls back',
  ],
  [
    "a rolling update where the spec asks for blue/green",
    apiService,
    (r) => {
      r.inputs.deploymentConfiguration = { strategy: "ROLLING" };
    },
    "service api-qa: deployment strategy is ROLLING; the spec says BLUE_GREEN",
  ],
  [
    "blue/green with no alternate target group",
    apiService,
    (r) => {
      const [loadBalancer] = r.inputs.loadBalancers as Record<string, Record<string, unknown>>[];
      if (loadBalancer?.advancedConfiguration)
        delete loadBalancer.advancedConfiguration.alternateTargetGroupArn;
    },
    "service api-qa: its load balancer's alternateTargetGroupArn must be target group api-qa-green",
  ],
  [
    "the production rule given as the test rule",
    apiService,
    (r) => {
      const [loadBalancer] = r.inputs.loadBalancers as Record<string, Record<string, unknown>>[];
      const advanced = loadBalancer?.advancedConfiguration;
      if (advanced) advanced.testListenerRule = advanced.productionListenerRule;
    },
    "service api-qa: productionListenerRule and testListenerRule are the same rule; test traffic needs its own",
  ],
  [
    "a wildcard IAM action",
    is(TYPES.rolePolicy, "api-qa-task"),
    (r) =>
      editJson<Policy>(r, "policy", (p) => {
        p.Statement[0]!.Action = ["s3:*"];
      }),
    "IAM policy api-qa-task statement OwnObjects: action s3:* is a wildcard; name the actions",
  ],
  [
    "an IAM grant on every resource",
    is(TYPES.rolePolicy, "api-qa-execution"),
    (r) =>
      editJson<Policy>(r, "policy", (p) => {
        p.Statement[1]!.Resource = ["*"];
      }),
    'IAM policy api-qa-execution statement PullOwnImages: ecr:BatchCheckLayerAvailability, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer on Resource "*"; scope it to the resources it needs',
  ],
  [
    "metrics published to any namespace",
    is(TYPES.rolePolicy, "api-qa-task"),
    (r) =>
      editJson<Policy>(r, "policy", (p) => {
        delete p.Statement[2]!.Condition;
      }),
    "IAM policy api-qa-task statement PublishOwnMetrics: cloudwatch:PutMetricData without a cloudwatch:namespace condition",
  ],
  [
    "CI trust for any branch or environment",
    is("aws:iam/role:Role", "deploy-qa"),
    (r) =>
      editJson<Policy>(r, "assumeRolePolicy", (p) => {
        const condition = p.Statement[0]!.Condition as Record<string, Record<string, string>>;
        condition.StringEquals!["token.actions.githubusercontent.com:sub"] = "repo:acme/platform:*";
      }),
    'IAM role deploy-qa: its OIDC trust must name one repository and environment exactly (sub "repo:<owner>/<repo>:environment:<env>"), got ["repo:acme/platform:*"]',
  ],
  [
    "a role passable to any service",
    is(TYPES.rolePolicy, "deploy-qa"),
    (r) =>
      editJson<Policy>(r, "policy", (p) => {
        delete p.Statement.find((s) => s.Sid === "PassOwnTaskRoles")!.Condition;
      }),
    "IAM policy deploy-qa statement PassOwnTaskRoles: iam:PassRole without an iam:PassedToService condition",
  ],
  [
    "listing tasks of every cluster",
    is(TYPES.rolePolicy, "deploy-qa"),
    (r) =>
      editJson<Policy>(r, "policy", (p) => {
        delete p.Statement.find((s) => s.Sid === "ListInCluster")!.Condition;
      }),
    "IAM policy deploy-qa statement ListInCluster: ecs:ListServices without a ecs:cluster condition",
  ],
  [
    "a database password in the inputs",
    is(TYPES.dbInstance, "platform-qa"),
    (r) => {
      r.inputs.password = "correct-horse";
    },
    "resource aws:rds/instance:Instance platform-qa: input password holds a value; secrets must not be resource inputs",
  ],
  [
    "a database open to the VPC",
    is(TYPES.securityGroup, "platform-qa-db"),
    (r) => {
      r.inputs.ingress = [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.0.0.0/8"] }];
    },
    "database security group platform-qa-db: open to 10.0.0.0/8; only the ECS instances may connect",
  ],
  [
    "a public bucket",
    is(TYPES.publicAccessBlock, "platform-qa"),
    (r) => {
      r.inputs.restrictPublicBuckets = false;
    },
    "bucket: public access block restrictPublicBuckets is not on",
  ],
  [
    "log retention other than the spec's",
    is(TYPES.logGroup, "api-qa"),
    (r) => {
      r.inputs.retentionInDays = 3653;
    },
    "service api-qa: log retention is 3653 days; the spec says 30",
  ],
];

describe("the checker names each broken invariant of an environment stack", () => {
  test.each(cases)("%s", (_what, match, change, message) => {
    const violations = checkInvariants(withChange(resources, match, change), ctx);
    expect(violations, violations.join("\n")).toContain(message);
  });
});
