import { AwsError } from "../../contracts.js";

// SSM Parameter Store's rules over plain JSON state: names, types, versions, overwrite. No I/O.

export type ParameterType = "String" | "StringList" | "SecureString";

export interface ParameterRecord {
  name: string;
  type: ParameterType;
  value: string;
  version: number;
  lastModified: string;
  description?: string | undefined;
  dataType: string;
}

export interface SsmState {
  parameters: Record<string, ParameterRecord>;
}

export function emptySsmState(): SsmState {
  return { parameters: {} };
}

const TYPES: ParameterType[] = ["String", "StringList", "SecureString"];

function validation(message: string): AwsError {
  return new AwsError("ValidationException", message);
}

export function checkParameterName(name: string): void {
  if (name.length < 1 || name.length > 2048) {
    throw validation(
      `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must have length between 1 and 2048`,
    );
  }
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name)) {
    throw validation(
      'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.',
    );
  }
  if (/^\/?(aws|ssm)/i.test(name)) throw validation(`No access to reserved parameter name: ${name}.`);
  if (name.includes("/") && !name.startsWith("/"))
    throw validation("Parameter name must be a fully qualified name.");
  if (name.split("/").length - 1 > 15) throw validation("Parameter name has more than 15 hierarchy levels.");
}

export class SsmModel {
  constructor(
    readonly state: SsmState,
    private readonly now: () => Date = () => new Date(),
  ) {}

  put(input: {
    name: string;
    value: string;
    type?: string | undefined;
    overwrite: boolean;
    description?: string | undefined;
  }): ParameterRecord {
    checkParameterName(input.name);
    if (input.value.length < 1 || input.value.length > 4096) {
      throw validation(
        "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length between 1 and 4096",
      );
    }
    const existing = this.state.parameters[input.name];
    if (input.type !== undefined && !TYPES.includes(input.type as ParameterType)) {
      throw validation(
        `1 validation error detected: Value '${input.type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]`,
      );
    }
    if (existing && !input.overwrite) {
      throw new AwsError(
        "ParameterAlreadyExists",
        "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
      );
    }
    const type = (input.type as ParameterType | undefined) ?? existing?.type;
    if (!type) throw validation("A parameter type is required when you create a parameter.");
    const record: ParameterRecord = {
      name: input.name,
      type,
      value: input.value,
      version: (existing?.version ?? 0) + 1,
      lastModified: this.now().toISOString(),
      description: input.description ?? existing?.description,
      dataType: "text",
    };
    this.state.parameters[input.name] = record;
    return record;
  }

  /** Accepts a name or a `name:version` selector, like GetParameter. */
  get(selector: string): ParameterRecord {
    const found = this.find(selector);
    if (!found) throw new AwsError("ParameterNotFound", `Parameter ${selector} not found.`);
    return found;
  }

  find(selector: string): ParameterRecord | undefined {
    const m = /^(.*):(\d+)$/.exec(selector);
    const name = m ? m[1]! : selector;
    const record = this.state.parameters[name];
    if (!record) return undefined;
    if (m && Number(m[2]) !== record.version) return undefined;
    return record;
  }

  byPath(path: string, recursive: boolean): ParameterRecord[] {
    if (!path.startsWith("/")) throw validation("The parameter path must begin with a forward slash (/).");
    const prefix = path.endsWith("/") ? path : `${path}/`;
    return Object.values(this.state.parameters).filter((p) => {
      if (!p.name.startsWith(prefix)) return false;
      return recursive || !p.name.slice(prefix.length).includes("/");
    });
  }

  list(filters: { key: string; option: string; values: string[] }[]): ParameterRecord[] {
    return Object.values(this.state.parameters).filter((p) =>
      filters.every((f) => {
        const field = f.key === "Name" ? p.name : f.key === "Type" ? p.type : undefined;
        if (field === undefined)
          throw validation(
            `The following filter key is not valid: ${f.key}. Valid filter keys include: [Name, Type].`,
          );
        return f.values.some((v) => (f.option === "BeginsWith" ? field.startsWith(v) : field === v));
      }),
    );
  }

  delete(name: string): void {
    if (!this.state.parameters[name]) throw new AwsError("ParameterNotFound", `Parameter ${name} not found.`);
    delete this.state.parameters[name];
  }
}
