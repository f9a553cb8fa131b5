import { AwsError } from "../../contracts.js";
import type { PageRequest } from "../../wire/paging.js";
import {
  type Input,
  optBool,
  optInt,
  optObjectList,
  optString,
  optStringList,
  reqString,
} from "../../wire/params.js";

// SSM's requests decoded into the model's typed inputs.

export function putParameterInput(input: Input) {
  return {
    name: reqString(input, "Name"),
    value: reqString(input, "Value"),
    type: optString(input, "Type"),
    overwrite: optBool(input, "Overwrite") ?? false,
    description: optString(input, "Description"),
  };
}

export function withDecryption(input: Input): boolean {
  return optBool(input, "WithDecryption") ?? false;
}

/** GetParameters names 1 to 10 parameters. */
export function parameterNames(input: Input): string[] {
  const names = optStringList(input, "Names");
  if (!names || names.length < 1 || names.length > 10) {
    throw new AwsError(
      "ValidationException",
      "1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length between 1 and 10",
    );
  }
  return names;
}

export function parameterFilters(input: Input) {
  return (optObjectList(input, "ParameterFilters") ?? []).map((f) => ({
    key: reqString(f, "Key"),
    option: optString(f, "Option") ?? "Equals",
    values: optStringList(f, "Values") ?? [],
  }));
}

/** SSM pages: MaxResults (at most `max`, 10 by default) and NextToken. */
export function pageRequest(input: Input, max: number): PageRequest {
  const n = optInt(input, "MaxResults");
  if (n !== undefined && (n < 1 || n > max)) {
    throw new AwsError(
      "ValidationException",
      `1 validation error detected: Value '${n}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${max}`,
    );
  }
  return { size: n ?? 10, token: optString(input, "NextToken") };
}

export const invalidToken = () => new AwsError("InvalidNextToken", "The pagination token is invalid");
