import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ECRClient } from "@aws-sdk/client-ecr";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import { SSMClient } from "@aws-sdk/client-ssm";

// The @aws-sdk v3 clients `npm start` drives the region with: the real wire, like any user's tool.

export interface Clients {
  ecs: ECSClient;
  ecr: ECRClient;
  elb: ElasticLoadBalancingV2Client;
  logs: CloudWatchLogsClient;
  cloudwatch: CloudWatchClient;
  sns: SNSClient;
  ssm: SSMClient;
  secrets: SecretsManagerClient;
  s3: S3Client;
}

export function regionClients(
  endpoint: string,
  region: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Clients {
  const config = { endpoint, region, credentials, maxAttempts: 3 };
  return {
    ecs: new ECSClient(config),
    ecr: new ECRClient(config),
    elb: new ElasticLoadBalancingV2Client(config),
    logs: new CloudWatchLogsClient(config),
    cloudwatch: new CloudWatchClient(config),
    sns: new SNSClient(config),
    ssm: new SSMClient(config),
    secrets: new SecretsManagerClient(config),
    // Path-style: Node's resolver doesn't resolve <bucket>.localhost.
    s3: new S3Client({ ...config, forcePathStyle: true }),
  };
}

/** The AWS error code of a failed SDK call. */
export function errorName(error: unknown): string {
  return (error as { name?: string })?.name ?? "";
}

/** What `describe` answers, or undefined when AWS answers `notFound`: the thing is not there yet. */
export async function unlessNotFound<T>(
  notFound: string,
  describe: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await describe();
  } catch (error) {
    if (errorName(error) !== notFound) throw error;
    return undefined;
  }
}
