import {
  APP_NAMES,
  type AppName,
  alarmTopicNames,
  alternateTargetGroupName,
  ENVIRONMENT_NAMES,
  type EnvironmentName,
  type PlatformSpec,
  serviceDeployment,
  shiftsTraffic,
} from "@platform/env";
import * as pulumi from "@pulumi/pulumi";
import { Alarms } from "./alarms.js";
import { Database, RDS_CA_BUNDLE_FILE } from "./database.js";
import { DeployRole, deployPolicy } from "./deploy-role.js";
import {
  type AccountContext,
  apiTaskPolicy,
  executionPolicy,
  logGroupArn,
  mediaTaskPolicy,
  ServiceRoles,
} from "./iam.js";

/** media-server/src/recording/recording-store.ts writes its recordings under this prefix only. */
const RECORDINGS_PREFIX = "recordings/";

import { BACKLOG_METRIC, logGroupName, serviceName } from "./naming.js";
import { Repository } from "./repository.js";
import { accountContext, resolveSecretReferences, type SecretReference } from "./secrets.js";
import { Service } from "./service.js";
import type { StackSettings } from "./settings.js";
import { readSharedOutputs, type SharedStackOutputs } from "./shared-outputs.js";
import { Storage } from "./storage.js";
import { environmentUrl } from "./urls.js";

interface EnvironmentContext {
  env: EnvironmentName;
  spec: PlatformSpec;
  settings: StackSettings;
  shared: SharedStackOutputs;
  account: pulumi.Output<AccountContext>;
}

interface ServiceParts {
  repository: Repository;
  roles: ServiceRoles;
  service: Service;
  secrets: Record<string, SecretReference>;
}

/**
 * One environment on the shared ALB and cluster: per service an ECR repository, roles, log group, task
 * definition, ECS service and auto scaling; the API's bucket and database; the environment's alarms; and
 * the role its CI deploys with.
 */
export function environmentStack(env: EnvironmentName, spec: PlatformSpec, settings: StackSettings) {
  const ctx: EnvironmentContext = {
    env,
    spec,
    settings,
    shared: readSharedOutputs(settings.sharedStack),
    account: accountContext(spec.region),
  };
  const storage = new Storage(`platform-${env}`, {});
  const database = new Database(`platform-${env}`, {
    env,
    database: spec.environments[env].database,
    vpcId: ctx.shared.vpcId,
    privateSubnetIds: ctx.shared.privateSubnetIds,
    clientSecurityGroupId: ctx.shared.instanceSecurityGroupId,
  });
  const services = perApp((app) => defineService(ctx, app, storage, database));
  const alarms = defineAlarms(ctx, services);
  const deployRole = settings.githubRepository
    ? defineDeployRole(ctx, settings.githubRepository, services)
    : undefined;

  return {
    environment: env,
    url: environmentUrl(spec, env),
    clusterName: ctx.shared.clusterName,
    serviceNames: perApp((app) => services[app].service.serviceName),
    repositoryUrls: perApp((app) => services[app].repository.repositoryUrl),
    logGroups: perApp((app) => services[app].service.logGroupName),
    alarmTopicArn: alarms.topicArn,
    alarmEmailTopicArn: alarms.emailTopicArn,
    bucketName: storage.bucketName,
    databaseAddress: database.address,
    // The workflow's AWS_DEPLOY_ROLE_ARN_<ENV>; absent without platform:githubRepository.
    deployRoleArn: deployRole?.roleArn,
  };
}

function defineService(
  ctx: EnvironmentContext,
  app: AppName,
  storage: Storage,
  database: Database,
): ServiceParts {
  const { env, spec, settings, shared, account } = ctx;
  const name = serviceName(app, env);
  const serviceSpec = spec.environments[env].services[app];
  const deployment = serviceDeployment(spec, app, env);
  const repository = new Repository(name, { keepImages: settings.keepImages });
  const secretsByName = resolveSecretReferences(serviceSpec.secrets, account);
  const secrets = Object.values(secretsByName);
  const arnsOf = (kind: SecretReference["kind"]) =>
    pulumi.all(secrets.filter((s) => s.kind === kind).map((s) => s.arn));
  const execution = pulumi
    .all([account, repository.arn, arnsOf("ssm"), arnsOf("secretsManager")])
    .apply(([a, repositoryArn, parameterArns, secretArns]) =>
      executionPolicy({
        repositoryArns: [repositoryArn],
        logGroupArns: [logGroupArn(a, logGroupName(app, env))],
        parameterArns,
        secretArns,
      }),
    );
  const roles = new ServiceRoles(name, {
    executionPolicy: execution,
    // The media server's only AWS calls are its recordings' uploads and downloads.
    taskPolicy:
      app === "api"
        ? apiPolicy(settings, storage, database)
        : storage.bucketArn.apply((bucketArn) =>
            mediaTaskPolicy({ bucketArn, recordingsPrefix: RECORDINGS_PREFIX }),
          ),
  });
  const service = new Service(name, {
    app,
    env,
    service: serviceSpec,
    region: spec.region,
    clusterArn: shared.clusterArn,
    clusterName: shared.clusterName,
    capacityProviderName: shared.capacityProviderName,
    targetGroupArn: shared.targetGroup(name).arn,
    deployment,
    trafficShift: shiftsTraffic(deployment)
      ? shared.trafficShift(name, alternateTargetGroupName(app, env))
      : undefined,
    repositoryUrl: repository.repositoryUrl,
    bootstrapImageTag: settings.bootstrapImageTag,
    executionRoleArn: roles.executionRoleArn,
    taskRoleArn: roles.taskRoleArn,
    secrets: Object.fromEntries(Object.entries(secretsByName).map(([key, s]) => [key, s.valueFrom])),
    extraEnvironment:
      app === "api"
        ? apiEnvironment(settings, storage, database)
        : { STUN_SERVER: spec.cluster.stunServer, RECORDINGS_BUCKET: storage.bucketName },
  });
  return { repository, roles, service, secrets: secretsByName };
}

function apiPolicy(settings: StackSettings, storage: Storage, database: Database) {
  return pulumi.all([storage.bucketArn, database.secretArn]).apply(([bucketArn, databaseSecretArn]) =>
    apiTaskPolicy({
      bucketArn,
      objectPrefix: settings.apiObjectPrefix,
      metricNamespace: BACKLOG_METRIC.namespace,
      databaseSecretArn,
    }),
  );
}

/**
 * What the API reads (api/src/config.ts) for its bucket (it keeps its objects under `objects/`, the
 * prefix its task role is limited to) and its database: address, name, the RDS-managed secret (read
 * with the task role, so a rotation needs no redeploy) and the CA bundle the image ships
 * (api/Dockerfile). The spec's DATABASE_URL secret still reaches the task (the deploy pipeline passes
 * every secret the spec names); the API ignores it when DATABASE_SECRET_ARN is set.
 */
function apiEnvironment(_settings: StackSettings, storage: Storage, database: Database) {
  return {
    OBJECTS_BUCKET: storage.bucketName,
    DATABASE_HOST: database.address,
    DATABASE_PORT: database.port.apply(String),
    DATABASE_NAME: database.databaseName,
    DATABASE_SECRET_ARN: database.secretArn,
    DATABASE_CA_FILE: RDS_CA_BUNDLE_FILE,
  };
}

function defineAlarms(ctx: EnvironmentContext, services: Record<AppName, ServiceParts>): Alarms {
  const { env, spec, shared, account } = ctx;
  return new Alarms(`platform-${env}`, {
    spec,
    env,
    account,
    clusterName: shared.clusterName,
    loadBalancerArnSuffix: shared.albArnSuffix,
    services: perApp((app) => ({
      targetGroupArnSuffix: shared.targetGroup(serviceName(app, env)).arnSuffix,
      alternateTargetGroupArnSuffix: shiftsTraffic(serviceDeployment(spec, app, env))
        ? shared.alternateTargetGroup(alternateTargetGroupName(app, env)).arnSuffix
        : undefined,
      logGroupName: services[app].service.logGroupName,
      serviceName: services[app].service.serviceName,
    })),
  });
}

function defineDeployRole(
  ctx: EnvironmentContext,
  repository: string,
  services: Record<AppName, ServiceParts>,
): DeployRole {
  const { env, account, shared } = ctx;
  const all = <T>(pick: (parts: ServiceParts) => pulumi.Input<T>[]) =>
    pulumi.all(APP_NAMES.flatMap((app) => pick(services[app])));
  const checkSecret = services.api.secrets.API_ADMIN_KEY;
  const policy = pulumi
    .all([
      account,
      shared.clusterName,
      all((s) => [s.repository.arn]),
      all((s) => [s.roles.executionRoleArn, s.roles.taskRoleArn]),
      all((s) =>
        Object.values(s.secrets)
          .filter((r) => r.kind === "secretsManager")
          .map((r) => r.arn),
      ),
      checkSecret?.arn,
    ])
    .apply(([a, clusterName, pushRepositoryArns, passRoleArns, secretArns, checkSecretArn]) =>
      deployPolicy({
        account: a,
        clusterName,
        serviceNames: APP_NAMES.map((app) => serviceName(app, env)),
        pushRepositoryArns,
        pullRepositoryArns: promotionSourceRepositoryArns(a, env),
        passRoleArns,
        logGroupArns: APP_NAMES.map((app) => logGroupArn(a, logGroupName(app, env))),
        secretArns,
        ...(checkSecret &&
          checkSecretArn && { checkSecret: { kind: checkSecret.kind, arn: checkSecretArn } }),
        noticeTopicArns: [`arn:${a.partition}:sns:${a.region}:${a.accountId}:${alarmTopicNames(env).emails}`],
      }),
    );
  return new DeployRole(`deploy-${env}`, { env, repository, account, policy });
}

/** Promotion copies the image the previous environment verified (qa's, for prod) into this one's repository. */
function promotionSourceRepositoryArns(ctx: AccountContext, env: EnvironmentName): string[] {
  const source = ENVIRONMENT_NAMES[ENVIRONMENT_NAMES.indexOf(env) - 1];
  if (!source) return [];
  return APP_NAMES.map(
    (app) => `arn:${ctx.partition}:ecr:${ctx.region}:${ctx.accountId}:repository/${serviceName(app, source)}`,
  );
}

function perApp<T>(value: (app: AppName) => T): Record<AppName, T> {
  return Object.fromEntries(APP_NAMES.map((app) => [app, value(app)])) as Record<AppName, T>;
}
