import type { EnvironmentName } from "@platform/env";
import type { InvariantContext, Violation } from "./context.js";
import { list, obj, ofType, parseJson, type RecordedResource, TYPES } from "./resources.js";

/** The API's bucket (private, encrypted, versioned, TLS only) and database (private, encrypted, managed password). */
export function checkData(
  resources: RecordedResource[],
  ctx: InvariantContext,
  env: EnvironmentName,
): Violation[] {
  return [...checkBucket(resources), ...checkDatabase(resources, ctx, env)];
}

function checkBucket(resources: RecordedResource[]): Violation[] {
  const v: Violation[] = [];
  const block = ofType(resources, TYPES.publicAccessBlock)[0]?.inputs ?? {};
  for (const flag of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) {
    if (block[flag] !== true) v.push(`bucket: public access block ${flag} is not on`);
  }
  if (ofType(resources, TYPES.bucketEncryption).length === 0) v.push("bucket: no default encryption");
  const versioning = obj(ofType(resources, TYPES.bucketVersioning)[0]?.inputs.versioningConfiguration);
  if (versioning.status !== "Enabled") v.push("bucket: versioning is not enabled");
  const statements = ofType(resources, TYPES.bucketPolicy).flatMap((p) =>
    list(obj(parseJson(p.inputs.policy)).Statement).map(obj),
  );
  const tlsOnly = statements.some(
    (s) => s.Effect === "Deny" && obj(obj(s.Condition).Bool)["aws:SecureTransport"] === "false",
  );
  if (!tlsOnly) v.push("bucket: its policy doesn't deny requests without TLS");
  return v;
}

function checkDatabase(
  resources: RecordedResource[],
  ctx: InvariantContext,
  env: EnvironmentName,
): Violation[] {
  const db = ofType(resources, TYPES.dbInstance)[0];
  if (!db) return ["database: no RDS instance"];
  const i = db.inputs;
  const v: Violation[] = [];
  if (i.storageEncrypted !== true) v.push("database: storage is not encrypted");
  if (i.publiclyAccessible === true) v.push("database: publicly accessible");
  if (i.manageMasterUserPassword !== true) {
    v.push(
      "database: the master password must be managed by RDS in Secrets Manager (manageMasterUserPassword)",
    );
  }
  if (env === "prod" && i.deletionProtection !== true) v.push("database: deletion protection is off in prod");
  const groupIds = new Set(list(i.vpcSecurityGroupIds).map(String));
  for (const group of ofType(resources, TYPES.securityGroup).filter((g) =>
    groupIds.has(String(g.outputs.id)),
  )) {
    for (const rule of list(group.inputs.ingress).map(obj)) {
      const sources = list(rule.securityGroups).map(String);
      const cidrs = [...list(rule.cidrBlocks), ...list(rule.ipv6CidrBlocks)];
      if (cidrs.length > 0 || sources.some((s) => s !== ctx.instanceSecurityGroupId)) {
        v.push(
          `database security group ${group.name}: open to ${[...cidrs, ...sources].join(", ")}; only the ECS instances may connect`,
        );
      }
    }
  }
  return v;
}
