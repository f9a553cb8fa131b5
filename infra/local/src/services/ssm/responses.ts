import type { Durable, JsonServiceDefinition, OperationHandler, RequestContext } from "../../contracts.js";
import { AwsError } from "../../contracts.js";
import { type Page, paginate } from "../../wire/paging.js";
import {
  type Input,
  optBool,
  optInt,
  optObjectList,
  optString,
  optStringList,
  reqString,
} from "../../wire/params.js";
import { cipherTextOf, type ParameterRecord, type SsmModel, type SsmState } from "./model.js";

// SSM's awsJson1_1 adapter (target prefix AmazonSSM).

export function ssmService(model: SsmModel, durable: Durable<SsmState>): JsonServiceDefinition {
  const parameterView = (p: ParameterRecord, ctx: RequestContext, decrypt: boolean) => ({
    Name: p.name,
    Type: p.type,
    Value: p.type === "SecureString" && !decrypt ? cipherTextOf(p) : p.value,
    Version: p.version,
    LastModifiedDate: new Date(p.lastModified),
    ARN: parameterArn(ctx, p.name),
    DataType: p.dataType,
  });
  const metadataView = (p: ParameterRecord, ctx: RequestContext) => ({
    Name: p.name,
    ARN: parameterArn(ctx, p.name),
    Type: p.type,
    Description: p.description,
    Version: p.version,
    LastModifiedDate: new Date(p.lastModified),
    Tier: "Standard",
    DataType: p.dataType,
    Policies: [],
  });

  const operations: Record<string, OperationHandler> = {
    PutParameter: (input) => {
      const p = model.put({
        name: reqString(input, "Name"),
        value: reqString(input, "Value"),
        type: optString(input, "Type"),
        overwrite: optBool(input, "Overwrite") ?? false,
        description: optString(input, "Description"),
      });
      durable.commit();
      return { Version: p.version, Tier: "Standard" };
    },
    GetParameter: (input, ctx) => ({
      Parameter: parameterView(
        model.get(reqString(input, "Name")),
        ctx,
        optBool(input, "WithDecryption") ?? false,
      ),
    }),
    GetParameters: (input, ctx) => {
      const names = optStringList(input, "Names");
      if (!names || names.length < 1 || names.length > 10) {
        throw new AwsError(
          "ValidationException",
          "1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length between 1 and 10",
        );
      }
      const decrypt = optBool(input, "WithDecryption") ?? false;
      const found = names.map((n) => [n, model.find(n)] as const);
      return {
        Parameters: found.filter(([, p]) => p).map(([, p]) => parameterView(p!, ctx, decrypt)),
        InvalidParameters: found.filter(([, p]) => !p).map(([n]) => n),
      };
    },
    GetParametersByPath: (input, ctx) => {
      const decrypt = optBool(input, "WithDecryption") ?? false;
      const found = model.byPath(reqString(input, "Path"), optBool(input, "Recursive") ?? false);
      const page = pageOf(found, input, 10);
      return { Parameters: page.items.map((p) => parameterView(p, ctx, decrypt)), NextToken: page.next };
    },
    DescribeParameters: (input, ctx) => {
      const filters = (optObjectList(input, "ParameterFilters") ?? []).map((f: Input) => ({
        key: reqString(f, "Key"),
        option: optString(f, "Option") ?? "Equals",
        values: optStringList(f, "Values") ?? [],
      }));
      const page = pageOf(model.list(filters), input, 50);
      return { Parameters: page.items.map((p) => metadataView(p, ctx)), NextToken: page.next };
    },
    DeleteParameter: (input) => {
      model.delete(reqString(input, "Name"));
      durable.commit();
      return {};
    },
  };
  return { protocol: "awsJson1_1", signingName: "ssm", targetPrefix: "AmazonSSM", operations };
}

/** SSM pages: MaxResults (at most `max`, 10 by default) and NextToken. */
function pageOf<T>(all: T[], input: Input, max: number): Page<T> {
  const n = optInt(input, "MaxResults");
  if (n !== undefined && (n < 1 || n > max)) {
    throw new AwsError(
      "ValidationException",
      `1 validation error detected: Value '${n}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${max}`,
    );
  }
  return paginate(all, n ?? 10, optString(input, "NextToken"), "InvalidNextToken");
}

export function parameterArn(ctx: { region: string; accountId: string }, name: string): string {
  return `arn:aws:ssm:${ctx.region}:${ctx.accountId}:parameter/${name.replace(/^\//, "")}`;
}
