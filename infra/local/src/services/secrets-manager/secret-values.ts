import type { SecretValues } from "../../contracts.js";
import type { SsmModel } from "../ssm/model.js";
import type { SecretsModel } from "./model.js";

// ECS `secrets[].valueFrom`: an SSM parameter ARN or name, or a Secrets Manager ARN or name with
// ECS's optional `:json-key:version-stage:version-id` tail.

export class LocalSecretValues implements SecretValues {
  constructor(
    private readonly ssm: SsmModel,
    private readonly secrets: SecretsModel,
  ) {}

  resolve(valueFrom: string): string | undefined {
    if (valueFrom.startsWith("arn:")) {
      const parts = valueFrom.split(":");
      if (parts[2] === "ssm") return this.parameter(parts.slice(5).join(":"));
      if (parts[2] === "secretsmanager" && parts[5] === "secret")
        return this.secret(parts.slice(0, 7).join(":"), parts.slice(7));
      return undefined;
    }
    const parameter = this.ssm.find(valueFrom);
    if (parameter) return parameter.value;
    const [name = "", ...tail] = valueFrom.split(":");
    return this.secret(name, tail);
  }

  /** `parameter/a/b` names `/a/b`; `parameter/plain` names `plain`. */
  private parameter(resource: string): string | undefined {
    if (!resource.startsWith("parameter/")) return undefined;
    const rest = resource.slice("parameter/".length);
    return (this.ssm.find(`/${rest}`) ?? this.ssm.find(rest))?.value;
  }

  private secret(id: string, [jsonKey, stage, versionId]: string[]): string | undefined {
    const secret = this.secrets.find(id);
    if (!secret || secret.deletionDate) return undefined;
    const version = secret.versions.find(
      (v) =>
        (versionId ? v.id === versionId : true) &&
        v.stages.includes(stage || (versionId ? v.stages[0]! : "AWSCURRENT")),
    );
    const text = version?.secretString;
    if (text === undefined) return undefined;
    if (!jsonKey) return text;
    try {
      const value = (JSON.parse(text) as Record<string, unknown>)[jsonKey];
      if (value === undefined) return undefined;
      return typeof value === "string" ? value : JSON.stringify(value);
    } catch {
      return undefined;
    }
  }
}
