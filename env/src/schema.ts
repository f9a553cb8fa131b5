import { z } from "zod";
import { deploymentSpec, testListenerSpec } from "./deployment.js";

// Limits below are AWS's own (ELBv2 health checks, ECS task sizes, CloudWatch retention values),
// so a spec that validates here is one AWS accepts.

const port = z.number().int().min(1).max(65535);
const portRange = z
  .strictObject({ from: port, to: port })
  .refine((r) => r.from <= r.to, { message: "from must not be greater than to" });

const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const healthCheck = z
  .strictObject({
    path: z.string().regex(/^\/[\x21-\x7e]*$/, "a path starting with / and made of printable characters"),
    intervalSeconds: z.number().int().min(5).max(300),
    timeoutSeconds: z.number().int().min(2).max(120),
    healthyThreshold: z.number().int().min(2).max(10),
    unhealthyThreshold: z.number().int().min(2).max(10),
    matcher: z.string().regex(/^\d{3}([-,]\d{3})*$/, 'HTTP codes such as "200", "200-299" or "200,301"'),
  })
  .refine((h) => h.timeoutSeconds < h.intervalSeconds, {
    message: "timeoutSeconds must be less than intervalSeconds (ELBv2 rule)",
    path: ["timeoutSeconds"],
  });

/** A secret is a reference to a parameter, never a value. */
const secretRef = z.union([
  z.strictObject({
    ssm: z.string().regex(/^\/[\w./-]+$/, "an SSM parameter name such as /platform/qa/db-url"),
  }),
  z.strictObject({
    secretsManager: z.string().regex(/^[\w/+=.@-]+$/, "a Secrets Manager secret name or ARN"),
    jsonKey: z.string().optional(),
  }),
]);

const envVarName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name (A-Z, 0-9, _)");
const SECRET_LOOKING = /(PASSWORD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|CREDENTIALS?)$/;

const environment = z.record(envVarName, z.string()).superRefine((vars, ctx) => {
  for (const name of Object.keys(vars)) {
    if (SECRET_LOOKING.test(name)) {
      ctx.addIssue({
        code: "custom",
        path: [name],
        message: `${name} looks like a secret: move it to "secrets" as a reference to SSM or Secrets Manager`,
      });
    }
  }
});

export const serviceSpec = z
  .strictObject({
    image: z.enum(["api", "media-server"]),
    containerPort: port,
    cpu: z.number().int().min(128).max(16384),
    memory: z.number().int().min(6).max(122880),
    memoryReservation: z.number().int().min(4),
    desiredCount: z.number().int().min(0).max(100),
    autoscaling: z.strictObject({
      minCount: z.number().int().min(0),
      maxCount: z.number().int().min(1).max(100),
      cpuTargetPercent: z.number().min(10).max(95),
      backlogPerTaskTarget: z.number().positive().optional(),
    }),
    healthCheck,
    healthCheckGracePeriodSeconds: z.number().int().min(0).max(2147483647),
    deregistrationDelaySeconds: z.number().int().min(0).max(3600),
    stopTimeoutSeconds: z.number().int().min(2).max(120),
    logRetentionDays: z.union(LOG_RETENTION_DAYS.map((d) => z.literal(d)) as never as [z.ZodLiteral<1>]),
    mediaUdpPortCount: z.number().int().min(1).max(200).optional(),
    environment,
    secrets: z.record(envVarName, secretRef),
    /** Overrides the environment's deployment for this service alone. */
    deployment: deploymentSpec.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.memoryReservation > s.memory) {
      ctx.addIssue({
        code: "custom",
        path: ["memoryReservation"],
        message: `memoryReservation (${s.memoryReservation}) must not exceed the hard limit memory (${s.memory})`,
      });
    }
    if (s.autoscaling.minCount > s.autoscaling.maxCount) {
      ctx.addIssue({
        code: "custom",
        path: ["autoscaling", "minCount"],
        message: "minCount exceeds maxCount",
      });
    }
    if (s.desiredCount < s.autoscaling.minCount || s.desiredCount > s.autoscaling.maxCount) {
      ctx.addIssue({
        code: "custom",
        path: ["desiredCount"],
        message: `desiredCount ${s.desiredCount} is outside autoscaling ${s.autoscaling.minCount}..${s.autoscaling.maxCount}`,
      });
    }
    for (const name of Object.keys(s.secrets)) {
      if (name in s.environment) {
        ctx.addIssue({
          code: "custom",
          path: ["secrets", name],
          message: `${name} is both in environment and secrets`,
        });
      }
    }
  });

const alarms = z.strictObject({
  http5xxPerMinute: z.number().int().min(1),
  targetResponseTimeSeconds: z.number().positive(),
  unhealthyHosts: z.number().int().min(1),
  errorLogLinesPerMinute: z.number().int().min(1),
  jobFailuresPerFiveMinutes: z.number().int().min(1),
  pipelineFailuresPerFiveMinutes: z.number().int().min(1),
  cpuPercent: z.number().min(1).max(100),
  memoryPercent: z.number().min(1).max(100),
});

export const APP_NAMES = ["api", "media-server"] as const;
export const ENVIRONMENT_NAMES = ["qa", "prod"] as const;

const environmentSpec = z.strictObject({
  /** qa is served at `<hostPrefix>.<domain>`; an environment without it is the default (every other host). */
  hostPrefix: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "a DNS label")
    .optional(),
  services: z.strictObject({ api: serviceSpec, "media-server": serviceSpec }),
  /** How ECS deploys the environment's services unless a service says otherwise. */
  deployment: deploymentSpec,
  alarms,
  database: z.strictObject({
    instanceClass: z
      .string()
      .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, "an RDS instance class such as db.t4g.micro"),
    allocatedStorageGb: z.number().int().min(20).max(65536),
    multiAz: z.boolean(),
  }),
});

const email = z.email("an e-mail address");

/**
 * The SMTP server the local region's SNS sends alarm e-mail through (else they land in its outbox); on
 * AWS, SNS delivers e-mail itself. The password is named, never given: the same reference as a
 * service's secrets (npm start takes its value from LOCAL_REGION_SMTP_PASSWORD).
 */
const smtp = z.strictObject({
  host: z
    .string()
    .regex(
      /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/,
      "a host name such as email-smtp.eu-west-1.amazonaws.com",
    ),
  port,
  /** TLS from the first byte (465); false means STARTTLS or plain (587, 25). */
  secure: z.boolean(),
  from: email,
  username: z.string().min(1).optional(),
  password: secretRef.optional(),
});

export const platformSpec = z
  .strictObject({
    project: z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, "lower-case letters, digits and dashes"),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region such as eu-west-1"),
    domain: z
      .string()
      .regex(/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/, "a domain name such as example.com"),
    certificateArn: z
      .string()
      .regex(/^arn:aws[\w-]*:acm:[\w-]+:\d{12}:certificate\/[\w-]+$/, "an ACM certificate ARN"),
    cluster: z.strictObject({
      name: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, "an ECS cluster name"),
      instanceType: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "an EC2 instance type such as t3.large"),
      minInstances: z.number().int().min(0),
      maxInstances: z.number().int().min(1),
      /** The agent's ECS_DYNAMIC_HOST_PORT_RANGE: where hostPort 0 maps (ALB targets, WebRTC UDP). */
      stunServer: z
        .string()
        .regex(/^[A-Za-z0-9.-]{1,253}:\d{1,5}$/, "a STUN server as host:port, e.g. stun.l.google.com:19302"),
      dynamicHostPorts: portRange.refine((r) => r.to - r.from < 2048, {
        message: "keep the dynamic host port range under 2048 ports: its UDP part is open to the internet",
      }),
    }),
    network: z.strictObject({
      vpcId: z
        .string()
        .regex(/^vpc-[0-9a-f]+$/)
        .optional(),
      publicSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).optional(),
      privateSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).optional(),
      cidrBlock: z.cidrv4().optional(),
      availabilityZones: z.number().int().min(2).max(6),
    }),
    alarms: z.strictObject({
      recipients: z.array(email).min(1, "at least one recipient"),
      smtp: smtp.optional(),
    }),
    testListener: testListenerSpec,
    local: z.strictObject({
      domain: z.string().min(1),
      awsEndpointPort: port,
      httpPort: port,
      httpsPort: port,
      /** The test listener's ports on this machine (AWS's is testListener.port). */
      testHttpPort: port,
      testHttpsPort: port,
      taskPorts: portRange,
      mediaUdpPorts: portRange,
      /** Caps the bake ECS derives from a service's deployment alarms (minutes on AWS). */
      maxDeploymentBakeSeconds: z.number().int().min(0).max(3600),
      /**
       * Shorter target tracking on this machine: the scaling alarms' period (AWS: 60 s, 3 periods
       * for AlarmHigh, 15 for AlarmLow) and the policies' cooldowns (the Pulumi program's 60/300 s).
       * Absent: AWS's. With a period under 60 s the API publishes its demand at high resolution.
       */
      autoscaling: z
        .strictObject({
          alarmPeriodSeconds: z.union([z.literal(10), z.literal(30), z.literal(60)]),
          highEvaluationPeriods: z.number().int().min(1).max(60),
          lowEvaluationPeriods: z.number().int().min(1).max(60),
          scaleOutCooldownSeconds: z.number().int().min(0).max(3600),
          scaleInCooldownSeconds: z.number().int().min(0).max(3600),
        })
        .optional(),
    }),
    environments: z.strictObject({ qa: environmentSpec, prod: environmentSpec }),
    /**
     * Branching (pipelines/README.md): trunk = main runs everything, an approval before prod;
     * gitflow = `develop` runs up to qa, `main` promotes what qa verified to prod.
     */
    pipeline: z
      .strictObject({
        branching: z.enum(["trunk", "gitflow"]).default("trunk"),
        branches: z
          .strictObject({
            develop: z.string().min(1).default("develop"),
            main: z.string().min(1).default("main"),
          })
          .default({ develop: "develop", main: "main" }),
      })
      .default({ branching: "trunk", branches: { develop: "develop", main: "main" } }),
  })
  .superRefine((p, ctx) => {
    if (p.cluster.minInstances > p.cluster.maxInstances) {
      ctx.addIssue({
        code: "custom",
        path: ["cluster", "minInstances"],
        message: "minInstances exceeds maxInstances",
      });
    }
    if (p.network.vpcId && !(p.network.publicSubnetIds?.length && p.network.privateSubnetIds?.length)) {
      ctx.addIssue({
        code: "custom",
        path: ["network", "vpcId"],
        message: "an existing VPC needs publicSubnetIds and privateSubnetIds",
      });
    }
    if (!p.network.vpcId && !p.network.cidrBlock) {
      ctx.addIssue({
        code: "custom",
        path: ["network"],
        message: "give either vpcId (existing) or cidrBlock (new VPC)",
      });
    }
    if ([80, 443].includes(p.testListener.port)) {
      ctx.addIssue({
        code: "custom",
        path: ["testListener", "port"],
        message: `port ${p.testListener.port} is a production listener's: the test listener needs a port of its own`,
      });
    }
    const localPorts = [p.local.httpPort, p.local.httpsPort, p.local.testHttpPort, p.local.testHttpsPort];
    if (new Set(localPorts).size !== localPorts.length) {
      ctx.addIssue({
        code: "custom",
        path: ["local"],
        message: "httpPort, httpsPort, testHttpPort and testHttpsPort must be four different ports",
      });
    }
    const defaults = ENVIRONMENT_NAMES.filter((e) => !p.environments[e].hostPrefix);
    if (defaults.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: ["environments"],
        message: `exactly one environment must have no hostPrefix (it receives every other host); found ${defaults.length}`,
      });
    }
  });

export type PlatformSpec = z.infer<typeof platformSpec>;
export type EnvironmentSpec = PlatformSpec["environments"]["qa"];
export type ServiceSpec = z.infer<typeof serviceSpec>;
export type SecretRef = z.infer<typeof secretRef>;
export type SmtpSpec = z.infer<typeof smtp>;
export type AlarmThresholds = EnvironmentSpec["alarms"];
export type HealthCheckSpec = ServiceSpec["healthCheck"];
export type PipelineSettings = PlatformSpec["pipeline"];
export type AppName = (typeof APP_NAMES)[number];
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];
