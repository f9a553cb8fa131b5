import { randomBytes, randomUUID } from "node:crypto";
import { AwsError } from "../../contracts.js";

// Secrets Manager's rules over plain JSON state: secrets, versions with AWSCURRENT/AWSPREVIOUS
// stages, scheduled and forced deletion.

export interface SecretVersionRecord {
  id: string;
  secretString?: string | undefined;
  secretBinary?: string | undefined;
  stages: string[];
  created: string;
}

export interface SecretRecord {
  arn: string;
  name: string;
  description?: string | undefined;
  created: string;
  lastChanged: string;
  deletionDate?: string | undefined;
  versions: SecretVersionRecord[];
}

export interface SecretsState {
  secrets: Record<string, SecretRecord>;
}

export function emptySecretsState(): SecretsState {
  return { secrets: {} };
}

function invalidParameter(message: string): AwsError {
  return new AwsError("InvalidParameterException", message);
}

export function notFound(): AwsError {
  return new AwsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
}

export interface SecretValueInput {
  secretString?: string | undefined;
  secretBinary?: string | undefined;
  clientRequestToken?: string | undefined;
}

export class SecretsModel {
  constructor(
    readonly state: SecretsState,
    private readonly now: () => Date = () => new Date(),
  ) {}

  create(
    scope: { region: string; accountId: string },
    input: { name: string; description?: string | undefined } & SecretValueInput,
  ): SecretRecord {
    checkSecretName(input.name);
    if (this.state.secrets[input.name]) {
      throw new AwsError(
        "ResourceExistsException",
        `The operation failed because the secret ${input.name} already exists.`,
      );
    }
    const suffix = randomBytes(6)
      .toString("base64")
      .replace(/[^A-Za-z0-9]/g, "x")
      .slice(0, 6);
    const created = this.now().toISOString();
    const secret: SecretRecord = {
      arn: `arn:aws:secretsmanager:${scope.region}:${scope.accountId}:secret:${input.name}-${suffix}`,
      name: input.name,
      description: input.description,
      created,
      lastChanged: created,
      versions: [],
    };
    if (input.secretString !== undefined || input.secretBinary !== undefined) this.addVersion(secret, input);
    this.state.secrets[input.name] = secret;
    return secret;
  }

  /** By name, full ARN, or ARN without the random suffix. */
  find(secretId: string): SecretRecord | undefined {
    const byName = this.state.secrets[secretId];
    if (byName) return byName;
    return Object.values(this.state.secrets).find(
      (s) => s.arn === secretId || s.arn.replace(/-[A-Za-z0-9]{6}$/, "") === secretId,
    );
  }

  get(secretId: string): SecretRecord {
    const secret = this.find(secretId);
    if (!secret) throw notFound();
    return secret;
  }

  live(secretId: string): SecretRecord {
    const secret = this.get(secretId);
    if (secret.deletionDate) {
      throw new AwsError(
        "InvalidRequestException",
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
    }
    return secret;
  }

  version(
    secret: SecretRecord,
    selector: { versionId?: string | undefined; stage?: string | undefined },
  ): SecretVersionRecord {
    const stage = selector.stage ?? (selector.versionId ? undefined : "AWSCURRENT");
    const version = secret.versions.find(
      (v) =>
        (selector.versionId === undefined || v.id === selector.versionId) &&
        (stage === undefined || v.stages.includes(stage)),
    );
    if (!version) {
      throw new AwsError(
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
      );
    }
    return version;
  }

  putValue(
    secretId: string,
    input: SecretValueInput,
  ): { secret: SecretRecord; version: SecretVersionRecord } {
    const secret = this.live(secretId);
    if (input.secretString === undefined && input.secretBinary === undefined) {
      throw invalidParameter("You must provide either SecretString or SecretBinary.");
    }
    return { secret, version: this.addVersion(secret, input) };
  }

  private addVersion(secret: SecretRecord, input: SecretValueInput): SecretVersionRecord {
    if (input.secretString !== undefined && input.secretBinary !== undefined) {
      throw invalidParameter(
        "You can't specify both a binary secret value and a string secret value in the same secret.",
      );
    }
    const size = Buffer.byteLength(input.secretString ?? input.secretBinary ?? "");
    if (size > 65536) throw invalidParameter("The secret value exceeds the maximum size of 65,536 bytes.");
    const id = input.clientRequestToken ?? randomUUID();
    if (id.length < 32 || id.length > 64) {
      throw new AwsError(
        "ValidationException",
        "1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: Member must have length between 32 and 64",
      );
    }
    const existing = secret.versions.find((v) => v.id === id);
    if (existing) {
      if (existing.secretString === input.secretString && existing.secretBinary === input.secretBinary)
        return existing;
      throw new AwsError("ResourceExistsException", `A resource with the ID you requested already exists.`);
    }
    for (const v of secret.versions) v.stages = v.stages.filter((s) => s !== "AWSPREVIOUS");
    for (const v of secret.versions) if (v.stages.includes("AWSCURRENT")) v.stages = ["AWSPREVIOUS"];
    secret.versions = secret.versions.filter((v) => v.stages.length > 0);
    const version: SecretVersionRecord = {
      id,
      secretString: input.secretString,
      secretBinary: input.secretBinary,
      stages: ["AWSCURRENT"],
      created: this.now().toISOString(),
    };
    secret.versions.push(version);
    secret.lastChanged = version.created;
    return version;
  }

  delete(
    secretId: string,
    options: { force: boolean; recoveryWindowDays?: number | undefined },
  ): { secret: SecretRecord; deletionDate: Date } {
    const secret = this.get(secretId);
    if (options.force && options.recoveryWindowDays !== undefined) {
      throw invalidParameter(
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
      );
    }
    const days = options.recoveryWindowDays ?? 30;
    if (!options.force && (days < 7 || days > 30)) {
      throw invalidParameter("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
    }
    if (secret.deletionDate && !options.force) {
      throw new AwsError(
        "InvalidRequestException",
        "You can't perform this operation on the secret because it was already scheduled for deletion.",
      );
    }
    const deletionDate = options.force ? this.now() : new Date(this.now().getTime() + days * 86_400_000);
    if (options.force) delete this.state.secrets[secret.name];
    else secret.deletionDate = deletionDate.toISOString();
    return { secret, deletionDate };
  }

  list(): SecretRecord[] {
    return Object.values(this.state.secrets).filter((s) => !s.deletionDate);
  }
}

export function checkSecretName(name: string): void {
  if (name.length < 1 || name.length > 512) {
    throw new AwsError(
      "ValidationException",
      `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must have length between 1 and 512`,
    );
  }
  if (!/^[A-Za-z0-9/_+=.@-]+$/.test(name)) {
    throw invalidParameter(
      "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!",
    );
  }
}
