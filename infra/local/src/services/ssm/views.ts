import { createHash } from "node:crypto";
import type { ParameterRecord } from "./model.js";

// Parameter records in the shapes the SSM API returns.

interface Scope {
  region: string;
  accountId: string;
}

export function parameterView(p: ParameterRecord, scope: Scope, decrypt: boolean) {
  return {
    Name: p.name,
    Type: p.type,
    Value: p.type === "SecureString" && !decrypt ? cipherTextOf(p) : p.value,
    Version: p.version,
    LastModifiedDate: new Date(p.lastModified),
    ARN: parameterArn(scope, p.name),
    DataType: p.dataType,
  };
}

export function parameterMetadataView(p: ParameterRecord, scope: Scope) {
  return {
    Name: p.name,
    ARN: parameterArn(scope, p.name),
    Type: p.type,
    Description: p.description,
    Version: p.version,
    LastModifiedDate: new Date(p.lastModified),
    Tier: "Standard",
    DataType: p.dataType,
    Policies: [],
  };
}

export function parameterArn(scope: Scope, name: string): string {
  return `arn:aws:ssm:${scope.region}:${scope.accountId}:parameter/${name.replace(/^\//, "")}`;
}

/** What a SecureString reads as without decryption: opaque, never the value. */
function cipherTextOf(record: ParameterRecord): string {
  return Buffer.from(
    `local-kms:${createHash("sha256").update(`${record.name}\0${record.version}\0${record.value}`).digest("hex")}`,
  ).toString("base64");
}
