import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ECRClient } from "@aws-sdk/client-ecr";
import { ECSClient, type ECSClientConfig } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { IAMClient } from "@aws-sdk/client-iam";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SSMClient } from "@aws-sdk/client-ssm";
import { MAX_ATTEMPTS, type RetryBackoff, retryStrategy } from "./retry.js";

// Every client is configured the usual AWS way only: --region/--profile when given, otherwise the
// environment and shared config files (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, endpoint_url,
// the shared credentials file). The local region is reached exactly like AWS.

export interface AwsOptions {
  region?: string;
  profile?: string;
}

export interface Clients {
  ecs: ECSClient;
  elbv2: ElasticLoadBalancingV2Client;
  logs: CloudWatchLogsClient;
  /** CloudWatch alarms (the bake watches them). */
  cloudwatch: CloudWatchClient;
  /** ECR in the region an image lives in (an image URI names its region). */
  ecr(region?: string): ECRClient;
  iam: IAMClient;
  ssm: SSMClient;
  secretsManager: SecretsManagerClient;
}

/** What tests put in place of AWS and of the wait between retries; the CLI passes none. */
export interface ClientOverrides {
  credentials?: ECSClientConfig["credentials"];
  requestHandler?: ECSClientConfig["requestHandler"];
  retryBackoff?: RetryBackoff;
}

export function createClients(options: AwsOptions, overrides: ClientOverrides = {}): Clients {
  const { retryBackoff, ...transport } = overrides;
  const config = (region = options.region) => ({
    region,
    profile: options.profile,
    maxAttempts: MAX_ATTEMPTS,
    retryStrategy: retryStrategy(retryBackoff),
    ...transport,
  });
  const ecrByRegion = new Map<string, ECRClient>();
  let cloudwatch: CloudWatchClient | undefined;
  let iam: IAMClient | undefined;
  let ssm: SSMClient | undefined;
  let secretsManager: SecretsManagerClient | undefined;
  return {
    ecs: new ECSClient(config()),
    elbv2: new ElasticLoadBalancingV2Client(config()),
    logs: new CloudWatchLogsClient(config()),
    ecr(region) {
      const key = region ?? "";
      let client = ecrByRegion.get(key);
      if (!client) {
        client = new ECRClient(config(region ?? options.region));
        ecrByRegion.set(key, client);
      }
      return client;
    },
    get cloudwatch() {
      cloudwatch ??= new CloudWatchClient(config());
      return cloudwatch;
    },
    get iam() {
      iam ??= new IAMClient(config());
      return iam;
    },
    get ssm() {
      ssm ??= new SSMClient(config());
      return ssm;
    },
    get secretsManager() {
      secretsManager ??= new SecretsManagerClient(config());
      return secretsManager;
    },
  };
}
