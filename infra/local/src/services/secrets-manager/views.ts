import type { SecretRecord, SecretVersionRecord } from "./model.js";

// Secret records in the shapes the Secrets Manager API returns.

export function secretValueView(secret: SecretRecord, version: SecretVersionRecord) {
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: version.id,
    SecretString: version.secretString,
    SecretBinary: version.secretBinary,
    VersionStages: version.stages,
    CreatedDate: new Date(version.created),
  };
}

export function secretDescriptionView(secret: SecretRecord) {
  return {
    ...secretSummary(secret),
    DeletedDate: secret.deletionDate ? new Date(secret.deletionDate) : undefined,
    VersionIdsToStages: stagesOf(secret),
  };
}

export function secretListEntryView(secret: SecretRecord) {
  return { ...secretSummary(secret), SecretVersionsToStages: stagesOf(secret) };
}

function secretSummary(secret: SecretRecord) {
  return {
    ARN: secret.arn,
    Name: secret.name,
    Description: secret.description,
    CreatedDate: new Date(secret.created),
    LastChangedDate: new Date(secret.lastChanged),
  };
}

function stagesOf(secret: SecretRecord): Record<string, string[]> {
  return Object.fromEntries(secret.versions.map((v) => [v.id, v.stages]));
}
