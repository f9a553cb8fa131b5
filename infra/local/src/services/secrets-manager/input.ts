import { AwsError } from "../../contracts.js";
import { type Input, optBool, optInt, optString, reqString } from "../../wire/params.js";
import type { SecretValueInput } from "./model.js";

// Secrets Manager's requests decoded into the model's typed inputs.

export function createSecretInput(input: Input) {
  return {
    name: reqString(input, "Name"),
    description: optString(input, "Description"),
    ...valueInput(input),
  };
}

export function valueInput(input: Input): SecretValueInput {
  const binary = input.SecretBinary;
  if (binary !== undefined && typeof binary !== "string") {
    throw new AwsError("SerializationException", "'SecretBinary' must be base64-encoded binary");
  }
  return {
    secretString: optString(input, "SecretString"),
    secretBinary: binary,
    clientRequestToken: optString(input, "ClientRequestToken"),
  };
}

export function versionSelector(input: Input) {
  return { versionId: optString(input, "VersionId"), stage: optString(input, "VersionStage") };
}

export function deleteOptions(input: Input) {
  return {
    force: optBool(input, "ForceDeleteWithoutRecovery") ?? false,
    recoveryWindowDays: optInt(input, "RecoveryWindowInDays"),
  };
}

export const secretId = (input: Input) => reqString(input, "SecretId");
