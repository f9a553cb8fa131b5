import { type SecretRef, secretsManagerValueFrom } from "@platform/env";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type AccountContext, ssmParameterArn } from "./iam.js";

/** A secret as ECS takes it: where to read it from, and the ARN the execution role may read. */
export interface SecretReference {
  kind: "ssm" | "secretsManager";
  arn: pulumi.Output<string>;
  valueFrom: pulumi.Output<string>;
}

/**
 * The spec names secrets; this turns each name into the full ARN ECS needs. Secrets Manager ARNs end in a
 * random suffix, so they are looked up by name; the values are never read.
 */
export function resolveSecretReferences(
  secrets: Record<string, SecretRef>,
  account: pulumi.Output<AccountContext>,
  parent?: pulumi.Resource,
): Record<string, SecretReference> {
  const resolved: Record<string, SecretReference> = {};
  for (const [name, ref] of Object.entries(secrets)) {
    if ("ssm" in ref) {
      const arn = account.apply((ctx) => ssmParameterArn(ctx, ref.ssm));
      resolved[name] = { kind: "ssm", arn, valueFrom: arn };
    } else {
      const arn = ref.secretsManager.startsWith("arn:")
        ? pulumi.output(ref.secretsManager)
        : aws.secretsmanager.getSecretOutput({ name: ref.secretsManager }, { parent }).arn;
      resolved[name] = {
        kind: "secretsManager",
        arn,
        valueFrom: arn.apply((a) => secretsManagerValueFrom(a, ref.jsonKey)),
      };
    }
  }
  return resolved;
}

export function accountContext(region: string): pulumi.Output<AccountContext> {
  const identity = aws.getCallerIdentityOutput();
  const partition = aws.getPartitionOutput();
  return pulumi
    .all([identity.accountId, partition.partition])
    .apply(([accountId, name]) => ({ accountId, partition: name, region }));
}
