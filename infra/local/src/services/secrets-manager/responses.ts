import type { Durable, OperationHandler } from "../../contracts.js";
import { mutating } from "../../state/durable.js";
import { createSecretInput, deleteOptions, secretId, valueInput, versionSelector } from "./input.js";
import type { SecretsModel, SecretsState } from "./model.js";
import { secretDescriptionView, secretListEntryView, secretValueView } from "./views.js";

// Secrets Manager's operations: decoded input, model call, commit, API-shaped output.

export function secretsManagerOperations(
  model: SecretsModel,
  durable: Durable<SecretsState>,
): Record<string, OperationHandler> {
  return {
    CreateSecret: mutating(durable, (input, ctx) => {
      const secret = model.create(ctx, createSecretInput(input));
      return { ARN: secret.arn, Name: secret.name, VersionId: secret.versions.at(-1)?.id };
    }),
    GetSecretValue: (input) => {
      const secret = model.live(secretId(input));
      return secretValueView(secret, model.version(secret, versionSelector(input)));
    },
    PutSecretValue: mutating(durable, (input) => {
      const { secret, version } = model.putValue(secretId(input), valueInput(input));
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: version.stages };
    }),
    DescribeSecret: (input) => secretDescriptionView(model.get(secretId(input))),
    ListSecrets: () => ({ SecretList: model.list().map(secretListEntryView) }),
    DeleteSecret: mutating(durable, (input) => {
      const { secret, deletionDate } = model.delete(secretId(input), deleteOptions(input));
      return { ARN: secret.arn, Name: secret.name, DeletionDate: deletionDate };
    }),
  };
}
