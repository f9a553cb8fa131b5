import { readFileSync } from "node:fs";
import { LAMBDA_BUNDLE_DIR } from "@platform/alarm-notifier/bundle";
import { notifierConfig } from "@platform/alarm-notifier/config";
import {
  APP_NAMES,
  alarmDefinitions,
  deploymentAlarmNames,
  type EnvironmentName,
  metricFilters,
  type PlatformSpec,
  serviceDeployment,
  serviceName,
  shiftsTraffic,
} from "@platform/env";
import { beforeAll, describe, expect, test } from "vitest";
import { checkInvariants } from "../../src/invariants/index.js";
import { obj, ofType, parseJson, TYPES } from "../../src/invariants/resources.js";
import { FAKE_SECRET_VALUE, fakeSharedOutputs } from "../../src/testing/fake-aws.js";
import { runStack, type StackRun } from "../../src/testing/run-stack.js";
import { repositorySpec } from "./spec.js";

/** The checks every environment stack gets; a test file per environment, since each is its own process. */
export function environmentSuite(
  env: EnvironmentName,
  spec: PlatformSpec = repositorySpec(),
): () => StackRun {
  let run: StackRun;

  beforeAll(async () => {
    run = await runStack(env, spec);
  });

  describe(`the ${env} stack`, () => {
    test("holds every invariant", () => {
      const violations = checkInvariants(run.resources, {
        spec,
        stack: env,
        secretValues: [FAKE_SECRET_VALUE],
        instanceSecurityGroupId: String(fakeSharedOutputs().instanceSecurityGroupId),
      });
      expect(violations).toEqual([]);
    });

    test("asks ECS for each service's strategy, and gives a traffic-shifting one both groups and rules", () => {
      for (const app of APP_NAMES) {
        const name = serviceName(app, env);
        const wanted = serviceDeployment(spec, app, env);
        const service = ofType(run.resources, TYPES.service).find((r) => r.inputs.name === name);
        expect(obj(service?.inputs.deploymentConfiguration).strategy, name).toBe(wanted.strategy);
        const [loadBalancer] = (service?.inputs.loadBalancers ?? []) as Record<string, unknown>[];
        const advanced = loadBalancer?.advancedConfiguration;
        if (!shiftsTraffic(wanted)) {
          expect(advanced, name).toBeUndefined();
          continue;
        }
        expect(advanced, name).toEqual({
          alternateTargetGroupArn: expect.stringContaining(`targetgroup/${name}-green/`),
          productionListenerRule: expect.stringContaining(`/https/${name}`),
          testListenerRule: expect.stringContaining(`/test/${name}`),
          roleArn: expect.stringContaining(":role/ecs-load-balancers"),
        });
        expect(service?.ignoreChanges, name).toContain("taskDefinition");
        expect(obj(service?.inputs.alarms), name).toMatchObject({ enable: true, rollback: true });
      }
    });

    test("reads the shared stack by its fully qualified name", () => {
      const refs = ofType(run.resources, "pulumi:pulumi:StackReference");
      expect(refs.map((r) => r.inputs.name)).toEqual(["organization/platform/shared"]);
    });

    test("outputs its URL, repositories, cluster and service names, and alarm topic", () => {
      const host = spec.environments[env].hostPrefix;
      expect(run.outputs.url).toBe(`https://${host ? `${host}.` : ""}example.com`);
      expect(run.outputs.clusterName).toBe("platform");
      expect(run.outputs.serviceNames).toEqual({ api: `api-${env}`, "media-server": `media-server-${env}` });
      expect(run.outputs.repositoryUrls).toEqual({
        api: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/api-${env}`,
        "media-server": `123456789012.dkr.ecr.eu-west-1.amazonaws.com/media-server-${env}`,
      });
      expect(run.outputs.alarmTopicArn).toMatch(/^arn:aws:sns:/);
    });

    test("tells the media server where to learn its public address (STUN), and the API nothing of it", () => {
      const environmentOf = (family: string) => {
        const task = ofType(run.resources, TYPES.taskDefinition).find((t) => t.inputs.family === family);
        const [container] = parseJson(task?.inputs.containerDefinitions) as {
          environment: { name: string; value: string }[];
        }[];
        return Object.fromEntries(container!.environment.map((e) => [e.name, e.value]));
      };
      expect(environmentOf(`media-server-${env}`).STUN_SERVER).toBe("stun.l.google.com:19302");
      expect(environmentOf(`api-${env}`).STUN_SERVER).toBeUndefined();
    });

    test("passes secrets as ARNs ECS resolves at task start, never as values", () => {
      const api = ofType(run.resources, TYPES.taskDefinition).find((t) => t.inputs.family === `api-${env}`);
      const [container] = parseJson(api?.inputs.containerDefinitions) as Record<string, unknown>[];
      expect(container?.secrets).toEqual([
        {
          name: "API_ADMIN_KEY",
          valueFrom: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:platform/${env}/api/admin-key-AbCdEf`,
        },
        {
          name: "DATABASE_URL",
          valueFrom: `arn:aws:ssm:eu-west-1:123456789012:parameter/platform/${env}/api/database-url`,
        },
      ]);
      expect(JSON.stringify(run.resources.map((r) => r.inputs))).not.toContain(FAKE_SECRET_VALUE);
    });

    test("passes the API exactly the database settings it reads, and only its task role may read the RDS secret", () => {
      const api = ofType(run.resources, TYPES.taskDefinition).find((t) => t.inputs.family === `api-${env}`);
      const [container] = parseJson(api?.inputs.containerDefinitions) as Record<string, unknown>[];
      const environment = Object.fromEntries(
        ((container?.environment ?? []) as { name: string; value: string }[]).map((e) => [e.name, e.value]),
      );
      const secretArn = `arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-platform-${env}-AbCdEf`;
      // api/src/config.ts: DATABASE_URL and DATABASE_SECRET_ARN are exclusive; the CA file is required.
      expect(
        Object.keys(environment)
          .filter((k) => k.startsWith("DATABASE_"))
          .sort(),
      ).toEqual([
        "DATABASE_CA_FILE",
        "DATABASE_HOST",
        "DATABASE_NAME",
        "DATABASE_PORT",
        "DATABASE_SECRET_ARN",
      ]);
      expect(environment).toMatchObject({
        DATABASE_HOST: `platform-${env}.abc.eu-west-1.rds.amazonaws.com`,
        DATABASE_PORT: "5432",
        DATABASE_SECRET_ARN: secretArn,
        DATABASE_CA_FILE: "/usr/local/share/rds/global-bundle.pem",
      });
      const statementsOf = (role: string) =>
        (obj(parseJson(ofType(run.resources, TYPES.rolePolicy).find((p) => p.name === role)?.inputs.policy))
          .Statement ?? []) as Record<string, unknown>[];
      const readers = (role: string) =>
        statementsOf(role).filter((s) => JSON.stringify(s.Resource).includes(secretArn));
      expect(readers(`api-${env}-task`)).toEqual([
        {
          Sid: "ReadDatabaseCredentials",
          Effect: "Allow",
          Action: ["secretsmanager:GetSecretValue"],
          Resource: [secretArn],
        },
      ]);
      expect(readers(`api-${env}-execution`)).toEqual([]);
      // The image ships the bundle at that path.
      const dockerfile = readFileSync(new URL("../../../../api/Dockerfile", import.meta.url), "utf8");
      expect(dockerfile).toMatch(/^ADD .*global-bundle\.pem \/usr\/local\/share\/rds\/global-bundle\.pem$/m);
    });

    test("lets each execution role read only its own service's secrets", () => {
      const policy = ofType(run.resources, TYPES.rolePolicy).find(
        (p) => p.name === `media-server-${env}-execution`,
      );
      const statements = (obj(parseJson(policy?.inputs.policy)).Statement ?? []) as Record<string, unknown>[];
      const resources = statements.flatMap((s) => s.Resource as string[]);
      expect(resources).toContain(
        `arn:aws:ssm:eu-west-1:123456789012:parameter/platform/${env}/media-server/turn-password`,
      );
      expect(resources.filter((r) => r.includes("/api/"))).toEqual([]);
    });

    test("lets the media server's task role read and write its recordings' prefix of the bucket, and nothing else", () => {
      const policy = ofType(run.resources, TYPES.rolePolicy).find(
        (p) => p.name === `media-server-${env}-task`,
      );
      const statements = obj(parseJson(policy?.inputs.policy)).Statement as Record<string, unknown>[];
      expect(statements).toHaveLength(1);
      expect(statements[0]).toMatchObject({
        Sid: "OwnRecordings",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
      });
      const [resource] = statements[0]!.Resource as string[];
      expect(resource).toMatch(/^arn:aws:s3:::.+\/recordings\/\*$/);
      // The same bucket the API uses, under a prefix the API's own grant does not cover.
      const api = ofType(run.resources, TYPES.rolePolicy).find((p) => p.name === `api-${env}-task`);
      const apiObjects = (obj(parseJson(api?.inputs.policy)).Statement as Record<string, unknown>[])[0]!
        .Resource as string[];
      expect(resource!.replace("/recordings/*", "")).toBe(apiObjects[0]!.replace(/\/[^/]+\/\*$/, ""));
      expect(apiObjects[0]).not.toContain("/recordings/");
    });

    test("lets CI of this repository and GitHub environment deploy, and promote from the environment before", () => {
      expect(run.outputs.deployRoleArn).toMatch(/^arn:aws:iam:/);
      const role = ofType(run.resources, "aws:iam/role:Role").find((r) => r.name === `deploy-${env}`);
      expect(parseJson(role?.inputs.assumeRolePolicy)).toMatchObject({
        Statement: [
          {
            Principal: {
              Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
            },
            Condition: {
              StringEquals: {
                "token.actions.githubusercontent.com:sub": `repo:acme/platform:environment:${env}`,
              },
            },
          },
        ],
      });
      const policy = ofType(run.resources, TYPES.rolePolicy).find((p) => p.name === `deploy-${env}`);
      const statements = (obj(parseJson(policy?.inputs.policy)).Statement ?? []) as Record<string, unknown>[];
      const pulls = statements.find((s) => s.Sid === "PullPromotedImages")?.Resource;
      expect(pulls).toEqual(
        env === "prod"
          ? [
              "arn:aws:ecr:eu-west-1:123456789012:repository/api-qa",
              "arn:aws:ecr:eu-west-1:123456789012:repository/media-server-qa",
            ]
          : undefined,
      );
      const deploys = statements.find((s) => s.Sid === "DeployOwnServices")?.Resource;
      expect(deploys).toEqual([
        `arn:aws:ecs:eu-west-1:123456789012:service/platform/api-${env}`,
        `arn:aws:ecs:eu-west-1:123456789012:service/platform/media-server-${env}`,
      ]);
    });

    test("sends every alarm and OK to the alarm topic, and treats a quiet metric as OK", () => {
      const topic = ofType(run.resources, TYPES.topic).find(
        (t) => t.inputs.name === `platform-alarms-${env}`,
      );
      const alarms = ofType(run.resources, TYPES.metricAlarm);
      const alternateTargetGroups = Object.fromEntries(
        APP_NAMES.filter((app) => shiftsTraffic(serviceDeployment(spec, app, env))).map((app) => [app, ""]),
      );
      const values = {
        loadBalancer: "",
        clusterName: "",
        targetGroups: both(""),
        alternateTargetGroups,
        serviceNames: both(""),
      };
      expect(alarms.map((a) => a.inputs.name).sort()).toEqual(
        alarmDefinitions(spec, env, values)
          .map((a) => a.alarmName)
          .sort(),
      );
      for (const a of alarms) {
        expect(a.inputs, String(a.inputs.name)).toMatchObject({
          treatMissingData: "notBreaching",
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          alarmActions: [topic?.outputs.arn],
          okActions: [topic?.outputs.arn],
        });
      }
      expect(run.outputs.alarmTopicArn).toBe(topic?.outputs.arn);
    });

    test("counts error lines, failed jobs and failed pipelines with metric filters on the services' groups", () => {
      const filters = ofType(run.resources, TYPES.metricFilter).map((f) => [
        f.inputs.name,
        f.inputs.logGroupName,
        f.inputs.pattern,
      ]);
      expect(filters).toEqual(metricFilters(env).map((f) => [f.filterName, f.logGroupName, f.filterPattern]));
    });

    test("e-mails the recipients from the e-mail topic only", () => {
      const emails = ofType(run.resources, TYPES.topic).find(
        (t) => t.inputs.name === `platform-alarm-emails-${env}`,
      );
      const mail = ofType(run.resources, TYPES.subscription).filter((s) => s.inputs.protocol === "email");
      expect(mail.map((s) => [s.inputs.topic, s.inputs.endpoint])).toEqual(
        spec.alarms.recipients.map((r) => [emails?.outputs.arn, r]),
      );
    });

    test("runs the notifier on Node 24 from its bundle, told its environment, topic and log lines", () => {
      const fn = ofType(run.resources, TYPES.lambdaFunction).find(
        (f) => f.name === `platform-${env}-notifier`,
      );
      expect(fn?.inputs).toMatchObject({
        name: `platform-alarm-notifier-${env}`,
        runtime: "nodejs24.x",
        handler: "index.handler",
        code: { fileArchive: LAMBDA_BUNDLE_DIR },
      });
      const variables = obj(obj(fn?.inputs.environment).variables);
      // Lambda allows 4 KB of environment variables in all.
      expect(String(variables.NOTIFIER_CONFIG).length).toBeLessThan(4096);
      const config = notifierConfig.parse(JSON.parse(String(variables.NOTIFIER_CONFIG)));
      expect(config).toMatchObject({
        environment: env,
        emailTopicArn: `arn:aws:sns:eu-west-1:123456789012:platform-alarm-emails-${env}`,
        logGroupNames: [`/platform/${env}/api`, `/platform/${env}/media-server`],
      });
      expect(config.logLines[`api-${env}-5xx`]).toEqual({
        logGroupName: `/platform/${env}/api`,
        filterPattern: "{ $.status >= 500 }",
      });
      const group = ofType(run.resources, TYPES.logGroup).find((g) => g.name === `platform-${env}-notifier`);
      expect(group?.inputs).toMatchObject({
        name: `/aws/lambda/platform-alarm-notifier-${env}`,
        retentionInDays: 30,
      });
    });

    test("lets the notifier read only this environment's logs and publish only to its e-mail topic", () => {
      const policy = ofType(run.resources, TYPES.rolePolicy).find(
        (p) => p.name === `platform-${env}-notifier`,
      );
      const statements = (obj(parseJson(policy?.inputs.policy)).Statement ?? []) as Record<string, unknown>[];
      const logGroup = (name: string) => `arn:aws:logs:eu-west-1:123456789012:log-group:${name}`;
      expect(statements.map((s) => [s.Action, s.Resource])).toEqual([
        [
          ["logs:CreateLogStream", "logs:PutLogEvents"],
          [`${logGroup(`/aws/lambda/platform-alarm-notifier-${env}`)}:log-stream:*`],
        ],
        [
          ["logs:DescribeMetricFilters", "logs:FilterLogEvents"],
          [`/platform/${env}/api`, `/platform/${env}/media-server`].flatMap((g) => [
            logGroup(g),
            `${logGroup(g)}:*`,
          ]),
        ],
        [["sns:Publish"], [`arn:aws:sns:eu-west-1:123456789012:platform-alarm-emails-${env}`]],
      ]);
    });

    test("subscribes the notifier to the alarm topic, after SNS may invoke it for that topic only", () => {
      const topicArn = `arn:aws:sns:eu-west-1:123456789012:platform-alarms-${env}`;
      const fnArn = `arn:aws:lambda:eu-west-1:123456789012:function:platform-alarm-notifier-${env}`;
      const subscription = ofType(run.resources, TYPES.subscription).find(
        (s) => s.inputs.protocol === "lambda",
      );
      expect(subscription?.inputs).toMatchObject({ topic: topicArn, endpoint: fnArn });
      const permission = ofType(run.resources, TYPES.lambdaPermission);
      expect(permission.map((p) => p.inputs)).toEqual([
        expect.objectContaining({
          action: "lambda:InvokeFunction",
          function: `platform-alarm-notifier-${env}`,
          principal: "sns.amazonaws.com",
          sourceArn: topicArn,
        }),
      ]);
    });

    test("rolls a deploy back when it sets off the service's 5xx or error-log alarm", () => {
      for (const app of APP_NAMES) {
        const service = ofType(run.resources, TYPES.service).find((s) => s.inputs.name === `${app}-${env}`);
        expect(service?.inputs.alarms).toEqual({
          alarmNames: deploymentAlarmNames(app, env, serviceDeployment(spec, app, env)),
          enable: true,
          rollback: true,
        });
      }
    });

    test("scales the API on its queue backlog and CPU, the media server on CPU", () => {
      const policies = ofType(run.resources, TYPES.scalingPolicy)
        .map((p) => p.name)
        .sort();
      expect(policies).toEqual([`api-${env}-backlog`, `api-${env}-cpu`, `media-server-${env}-cpu`]);
    });

    test("lets CI read one secret value, its own environment's API admin key (the functional checks' token)", () => {
      const role = ofType(run.resources, TYPES.rolePolicy).find((r) => r.name === `deploy-${env}`);
      const { Statement } = parseJson(role?.inputs.policy) as {
        Statement: { Action: string[]; Resource: string[] }[];
      };
      const reads = Statement.filter((s) =>
        s.Action.some((a) => a === "secretsmanager:GetSecretValue" || a === "ssm:GetParameter"),
      );
      expect(reads).toHaveLength(1);
      expect(reads[0]?.Action).toEqual(["secretsmanager:GetSecretValue"]);
      expect(reads[0]?.Resource).toEqual([
        expect.stringMatching(new RegExp(`:secret:platform/${env}/api/admin-key-`)),
      ]);
    });
  });

  return () => run;
}

function both<T>(value: T): Record<(typeof APP_NAMES)[number], T> {
  return { api: value, "media-server": value };
}
