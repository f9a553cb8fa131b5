// The seams between the parts of the local region. The wire (control plane), the ELBv2/ECR/SSM
// models and the load balancer are built on one side; ECS, its scheduler and the task runner on the
// other. Each side codes against these interfaces, so either can be read, tested and replaced alone.

import type { MetricDatum } from "@aws-sdk/client-cloudwatch";
import type { ImageConfig } from "@platform/image-format";

export type { ImageConfig };

/** An error in AWS's shape: the wire layer serializes it per protocol (awsJson `__type`, awsQuery `<Error>`). */
export class AwsError extends Error {
  constructor(
    /** AWS error code, e.g. `ClientException`, `ServiceNotFoundException`, `ValidationError`. */
    readonly code: string,
    message: string,
    /** HTTP status AWS uses for this error. */
    readonly status = 400,
    /** awsQuery `<Type>`: Sender for client mistakes, Receiver for our faults. */
    readonly fault: "Sender" | "Receiver" = "Sender",
  ) {
    super(message);
    this.name = code;
  }
}

export interface RequestContext {
  accountId: string;
  region: string;
  requestId: string;
}

/**
 * An operation of a service. `input` is the decoded request: the JSON body for awsJson, the
 * form fields decoded into the same nested shape the SDK's input type has for awsQuery
 * (`Targets.member.1.Id` becomes `{ Targets: [{ Id }] }`). It returns the output object.
 */
export type OperationHandler = (
  input: Record<string, unknown>,
  ctx: RequestContext,
) => unknown | Promise<unknown>;

export interface JsonServiceDefinition {
  protocol: "awsJson1_0" | "awsJson1_1";
  /** SigV4 signing name, e.g. `ecs`. */
  signingName: string;
  /** X-Amz-Target prefix without the trailing dot, e.g. `AmazonEC2ContainerServiceV20141113`. */
  targetPrefix: string;
  /**
   * For a service that has moved from awsQuery to awsJson (CloudWatch): older clients still send the
   * same operations as awsQuery forms, which the wire answers in XML under this version.
   */
  queryCompatible?: { version: string; xmlNamespace: string };
  operations: Record<string, OperationHandler>;
}

export interface QueryServiceDefinition {
  protocol: "awsQuery";
  signingName: string;
  /** `Version` form field, e.g. `2015-12-01`. */
  version: string;
  /** XML namespace of responses, e.g. `http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/`. */
  xmlNamespace: string;
  operations: Record<string, OperationHandler>;
}

/**
 * A REST service (S3): it reads its own request and writes its own response, so that bodies stream.
 * The wire verifies the signature first (the streamed body is the service's to check, against
 * `signing`) and takes every request signed for `signingName`, and those of other services' shapes
 * (anything but POST /) that name no service.
 */
export interface RestServiceDefinition {
  protocol: "rest";
  signingName: string;
  handle(call: RestCall): Promise<void>;
  /** Writes an error (the wire's own, such as a failed signature) in the service's format. */
  sendError(res: import("node:http").ServerResponse, error: AwsError, requestId: string): void;
  /** How its requests are signed (S3: the path as sent, presigned URLs). */
  signing: import("./wire/sigv4.js").VerifyOptions;
  /** The service's codes for failed signatures, by failure (S3: AccessDenied, InvalidAccessKeyId, ...). */
  authErrorCodes: Record<import("./wire/sigv4.js").AuthFailureKind, string>;
}

export interface RestCall {
  req: import("node:http").IncomingMessage;
  res: import("node:http").ServerResponse;
  ctx: RequestContext;
  signing: import("./wire/sigv4.js").SigningChain;
}

export type ServiceDefinition = JsonServiceDefinition | QueryServiceDefinition | RestServiceDefinition;

// ---------------------------------------------------------------------------------------------
// ELBv2 as ECS sees it: ECS registers a task's host port in its service's target groups, reads
// target health to decide a deployment, and deregisters (drains) before it stops a task.

export type TargetState = "initial" | "healthy" | "unhealthy" | "unused" | "draining" | "unavailable";

export interface Target {
  /** Instance id of the local "EC2 instance" (target type `instance`). */
  id: string;
  /** The task's dynamic host port. */
  port: number;
}

export interface TargetHealthView extends Target {
  state: TargetState;
  /** ELBv2 reason code, e.g. `Elb.InitialHealthChecking`, `Target.ResponseCodeMismatch`, `Target.DeregistrationInProgress`. */
  reason?: string;
  description?: string;
}

/** A target group's health check: what ELBv2 stores and the load balancer runs. */
export interface HealthCheckSettings {
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  matcher: string;
}

export interface TargetGroupView {
  arn: string;
  name: string;
  port: number;
  protocol: string;
  deregistrationDelaySeconds: number;
  healthCheck: HealthCheckSettings;
  /** Load balancers whose listeners forward to this group; an unattached group's targets are `unused`. */
  loadBalancerArns: string[];
}

export interface TargetGroups {
  /** Throws AwsError `TargetGroupNotFound`. */
  describe(targetGroupArn: string): TargetGroupView;
  register(targetGroupArn: string, targets: Target[]): void;
  /**
   * Starts draining: no new requests, in-flight ones finish. Resolves when deregistration is complete
   * (deregistration delay elapsed, or earlier when the target has no in-flight requests or open
   * connections, as an ALB does).
   */
  deregister(targetGroupArn: string, targets: Target[]): Promise<void>;
  health(targetGroupArn: string): TargetHealthView[];
  /** Called on every state change of any target; returns an unsubscribe function. */
  onHealthChange(listener: (targetGroupArn: string, target: TargetHealthView) => void): () => void;
}

// ---------------------------------------------------------------------------------------------
// ELBv2 listener rules as ECS's blue/green, canary and linear deployments see them: ECS reads the
// production and test rules it was given and moves their forward weights (ModifyRule through its
// infrastructure role on AWS; here, this seam).

/** The tag that makes a rule follow another's weights (the local ALB's plain-HTTP twin of a rule). */
export const TWIN_TAG = "local-region:twin-of";

export interface ListenerRuleView {
  ruleArn: string;
  listenerArn: string;
  loadBalancerArn: string;
  port: number;
  isDefault: boolean;
  /** Each action's type; forward actions with their weighted target groups. */
  actions: { type: string; targetGroups?: { arn: string; weight: number }[] }[];
  /** Rules tagged `local-region:twin-of` = this rule: their weights move with it. */
  twins: string[];
}

export interface ListenerRules {
  /** Throws AwsError `RuleNotFound`. */
  describe(ruleArn: string): ListenerRuleView;
  /**
   * Sets the weights of the rule's forward action, and of its twins', committed before it returns:
   * the load balancer routes the next request by them, in-flight requests finish where they are.
   */
  setWeights(ruleArn: string, weights: { arn: string; weight: number }[]): void;
}

// ---------------------------------------------------------------------------------------------
// ECR as the task runner sees it: resolve an image URI to its unpacked, immutable content. The image
// format (@platform/image-format) is the one the image builder writes, so the config type is shared.

export interface ResolvedImage {
  repositoryName: string;
  /** `sha256:...` of the manifest: the image's identity. */
  imageDigest: string;
  config: ImageConfig;
  /** Paths of the layer blobs (tar.gz), base layer first, to unpack in order. */
  layerFiles: string[];
}

export interface ImageRegistry {
  /**
   * `<account>.dkr.ecr.<region>.localhost:4566/<repo>:<tag>` or `...@sha256:<hex>`.
   * Undefined when the repository, tag or digest does not exist (the task then stops with
   * `CannotPullContainerError`).
   */
  resolve(imageUri: string): ResolvedImage | undefined;
}

// ---------------------------------------------------------------------------------------------
// SSM Parameter Store / Secrets Manager as the task runner sees them: resolve a task definition's
// `secrets[].valueFrom` (a parameter name or ARN, or a secret ARN/name with an optional `:jsonKey::`).

export interface SecretValues {
  /** Undefined when it does not exist (the task then stops with `ResourceInitializationError`). */
  resolve(valueFrom: string): string | undefined;
}

// ---------------------------------------------------------------------------------------------
// CloudWatch metrics as CloudWatch Logs' metric filters see them: what a filter publishes for the
// events a group stores goes into the same metric store PutMetricData feeds.

export interface MetricSink {
  /**
   * PutMetricData from inside the region, committed before it returns. A datum CloudWatch refuses
   * (a timestamp more than two weeks old) is dropped: it never fails the write that produced it.
   */
  publish(namespace: string, data: MetricDatum[]): void;
}

// ---------------------------------------------------------------------------------------------
// CloudWatch alarms as ECS's deployment alarms see them: read only, looked up by name on each
// scheduler pass (ECS polls DescribeAlarms the same way).

export type AlarmStateValue = "OK" | "ALARM" | "INSUFFICIENT_DATA";

export interface AlarmStateView {
  alarmName: string;
  stateValue: AlarmStateValue;
  stateReason: string;
  /** Epoch milliseconds of the last change of state (a new reason alone does not move it). */
  stateTransitionedAt: number;
  /**
   * Period × (EvaluationPeriods + 1) in seconds: how long a breach that begins at any moment takes to
   * show (CloudWatch evaluates a period only once it is over), and so what ECS bakes for.
   */
  evaluationSeconds: number;
}

export interface AlarmStates {
  /** Undefined when no alarm has that name. */
  get(alarmName: string): AlarmStateView | undefined;
}

// ---------------------------------------------------------------------------------------------
// SNS as CloudWatch's alarm actions see it: a notification takes the Publish operation's path, so
// every kind of subscription (email, email-json, http/https) gets it as it gets any message.

export interface TopicPublisher {
  /** Returns the MessageId; throws AwsError `NotFound` ("Topic does not exist") for an unknown topic. */
  publish(topicArn: string, message: { subject?: string; message: string }): string;
}

// ---------------------------------------------------------------------------------------------
// A scalable dimension as Application Auto Scaling sees it (ECS's `ecs:service:DesiredCount`): the
// service that owns the resource provides it, the scaling policies read and set its capacity.

export interface ScalableResource {
  /** The current capacity (ECS: the service's desiredCount); undefined when the resource does not exist. */
  capacity(resourceId: string): number | undefined;
  /** Sets the capacity, committed before it returns; throws AwsError when the resource refuses it. */
  setCapacity(resourceId: string, capacity: number): void;
}

export interface ScalableResources {
  /** Undefined when no service provides that dimension. */
  get(scalableDimension: string): ScalableResource | undefined;
  /** Returns the way to withdraw it. */
  provide(scalableDimension: string, resource: ScalableResource): () => void;
}

// ---------------------------------------------------------------------------------------------
// Task role credentials as the task runner hands them to containers: ECS's agent serves them at
// 169.254.170.2; here the region's endpoint does, on a loopback URL the SDKs accept as FULL_URI.

export interface TaskCredentials {
  /** AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN for one task. */
  forTask(taskId: string): { fullUri: string; authorizationToken: string };
}

// ---------------------------------------------------------------------------------------------
// Durable state: every model keeps plain JSON state; a mutating request is persisted before it is
// acknowledged, so a kill -9 at any moment loses nothing that was answered.

export interface Durable<T> {
  readonly state: T;
  /** Writes the current state atomically (temp file, fsync, rename) before returning. */
  commit(): void;
}

// ---------------------------------------------------------------------------------------------
// A part of the region that plugs into the composition in region.ts (ECS and its scheduler,
// CloudWatch Logs, ...): it registers its wire services and unsigned HTTP routes, and is started
// after the wire server and load balancer, stopped before them.

export interface RegionServices {
  /** Folder for this region's durable state (`.local-region/` by default). */
  stateDir: string;
  accountId: string;
  region: string;
  /** `http://127.0.0.1:4566`. */
  endpoint: string;
  targetGroups: TargetGroups;
  /** The listener rules ECS shifts traffic on. */
  listenerRules: ListenerRules;
  images: ImageRegistry;
  secrets: SecretValues;
  /** CloudWatch's metric store, for CloudWatch Logs' metric filters and the region's own metrics. */
  metrics: MetricSink;
  /** CloudWatch's alarms, for ECS's deployment alarms. */
  alarms: AlarmStates;
  /** The credentials endpoint of tasks with a task role. */
  taskCredentials: TaskCredentials;
  /** Where ECS provides its services' desired counts to Application Auto Scaling. */
  scalableResources: ScalableResources;
  /** Durable JSON state under stateDir, named e.g. `ecs`. */
  durable<T>(name: string, initial: () => T): Durable<T>;
  registerService(service: ServiceDefinition): void;
  /** Unsigned HTTP routes on the endpoint (the ECS task metadata endpoint, layer downloads). */
  registerHttpRoute(
    pathPrefix: string,
    handler: (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void,
  ): void;
}

export interface RegionPlugin {
  name: string;
  start(services: RegionServices): Promise<void> | void;
  /** Graceful: stop tasks (drain, SIGTERM, SIGKILL after stopTimeout) before the region goes. */
  stop(): Promise<void> | void;
}
