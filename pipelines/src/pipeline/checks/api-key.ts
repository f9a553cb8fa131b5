import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SSMClient } from "@aws-sdk/client-ssm";
import { fromIni } from "@aws-sdk/credential-provider-ini";
import { AwsSecretResolver, type EnvironmentName, type PlatformSpec } from "@platform/env";

// The API's admin key of an environment, from where the spec says it lives (SSM or Secrets
// Manager), through the SDK against the pipeline's target. The value is only ever sent as a bearer
// token: never printed, never written.

/**
 * SDK settings from an environment of the shape `awsEnvironment()` gives child tools: the local
 * region's profile, files and endpoint, or on AWS the region and the default credential chain.
 */
function sdkConfigFrom(env: NodeJS.ProcessEnv) {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const profile = env.AWS_PROFILE;
  return {
    ...(region && { region }),
    ...(env.AWS_ENDPOINT_URL && { endpoint: env.AWS_ENDPOINT_URL }),
    ...(profile && {
      credentials: fromIni({
        profile,
        ...(env.AWS_SHARED_CREDENTIALS_FILE && { filepath: env.AWS_SHARED_CREDENTIALS_FILE }),
        ...(env.AWS_CONFIG_FILE && { configFilepath: env.AWS_CONFIG_FILE }),
      }),
    }),
  };
}

export async function apiAdminKey(
  spec: PlatformSpec,
  env: EnvironmentName,
  awsEnv: NodeJS.ProcessEnv,
): Promise<string> {
  const ref = spec.environments[env].services.api.secrets.API_ADMIN_KEY;
  if (!ref) throw new Error(`the spec names no API_ADMIN_KEY secret for ${env}'s api`);
  const config = sdkConfigFrom(awsEnv);
  const resolver = new AwsSecretResolver(new SSMClient(config), new SecretsManagerClient(config));
  return resolver.resolve(ref).catch((error: Error) => {
    throw new Error(`${env}'s API_ADMIN_KEY could not be read: ${error.message}`);
  });
}
