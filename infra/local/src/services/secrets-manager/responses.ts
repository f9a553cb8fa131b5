import type { Durable, JsonServiceDefinition, OperationHandler } from "../../contracts.js";
import { AwsError } from "../../contracts.js";
import { type Input, optBool, optInt, optString, reqString } from "../../wire/params.js";
import type { SecretRecord, SecretsModel, SecretsState } from "./model.js";

// Secrets Manager's awsJson1_1 adapter (target prefix secretsmanager).

export function secretsManagerService(
  model: SecretsModel,
  durable: Durable<SecretsState>,
): JsonServiceDefinition {
  const stagesOf = (s: SecretRecord) => Object.fromEntries(s.versions.map((v) => [v.id, v.stages]));
  const operations: Record<string, OperationHandler> = {
    CreateSecret: (input, ctx) => {
      const secret = model.create(ctx, {
        name: reqString(input, "Name"),
        description: optString(input, "Description"),
        ...valueInput(input),
      });
      durable.commit();
      return { ARN: secret.arn, Name: secret.name, VersionId: secret.versions.at(-1)?.id };
    },
    GetSecretValue: (input) => {
      const secret = model.live(reqString(input, "SecretId"));
      const version = model.version(secret, {
        versionId: optString(input, "VersionId"),
        stage: optString(input, "VersionStage"),
      });
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.id,
        SecretString: version.secretString,
        SecretBinary: version.secretBinary,
        VersionStages: version.stages,
        CreatedDate: new Date(version.created),
      };
    },
    PutSecretValue: (input) => {
      const { secret, version } = model.putValue(reqString(input, "SecretId"), valueInput(input));
      durable.commit();
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: version.stages };
    },
    DescribeSecret: (input) => {
      const secret = model.get(reqString(input, "SecretId"));
      return {
        ARN: secret.arn,
        Name: secret.name,
        Description: secret.description,
        CreatedDate: new Date(secret.created),
        LastChangedDate: new Date(secret.lastChanged),
        DeletedDate: secret.deletionDate ? new Date(secret.deletionDate) : undefined,
        VersionIdsToStages: stagesOf(secret),
      };
    },
    ListSecrets: () => ({
      SecretList: model.list().map((s) => ({
        ARN: s.arn,
        Name: s.name,
        Description: s.description,
        CreatedDate: new Date(s.created),
        LastChangedDate: new Date(s.lastChanged),
        SecretVersionsToStages: stagesOf(s),
      })),
    }),
    DeleteSecret: (input) => {
      const { secret, deletionDate } = model.delete(reqString(input, "SecretId"), {
        force: optBool(input, "ForceDeleteWithoutRecovery") ?? false,
        recoveryWindowDays: optInt(input, "RecoveryWindowInDays"),
      });
      durable.commit();
      return { ARN: secret.arn, Name: secret.name, DeletionDate: deletionDate };
    },
  };
  return {
    protocol: "awsJson1_1",
    signingName: "secretsmanager",
    targetPrefix: "secretsmanager",
    operations,
  };
}

function valueInput(input: Input) {
  const binary = input.SecretBinary;
  if (binary !== undefined && typeof binary !== "string") {
    throw new AwsError("SerializationException", "'SecretBinary' must be base64-encoded binary");
  }
  return {
    secretString: optString(input, "SecretString"),
    secretBinary: binary as string | undefined,
    clientRequestToken: optString(input, "ClientRequestToken"),
  };
}
