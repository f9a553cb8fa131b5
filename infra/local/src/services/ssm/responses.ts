import type { Durable, OperationHandler } from "../../contracts.js";
import { mutating } from "../../state/durable.js";
import { paginate } from "../../wire/paging.js";
import { optBool, reqString } from "../../wire/params.js";
import {
  invalidToken,
  pageRequest,
  parameterFilters,
  parameterNames,
  putParameterInput,
  withDecryption,
} from "./input.js";
import type { SsmModel, SsmState } from "./model.js";
import { parameterMetadataView, parameterView } from "./views.js";

// SSM's operations: decoded input, model call, commit, API-shaped output.

export function ssmOperations(model: SsmModel, durable: Durable<SsmState>): Record<string, OperationHandler> {
  return {
    PutParameter: mutating(durable, (input) => {
      const p = model.put(putParameterInput(input));
      return { Version: p.version, Tier: "Standard" };
    }),
    GetParameter: (input, ctx) => ({
      Parameter: parameterView(model.get(reqString(input, "Name")), ctx, withDecryption(input)),
    }),
    GetParameters: (input, ctx) => {
      const names = parameterNames(input);
      const decrypt = withDecryption(input);
      const found = names.map((n) => [n, model.find(n)] as const);
      return {
        Parameters: found.filter(([, p]) => p).map(([, p]) => parameterView(p!, ctx, decrypt)),
        InvalidParameters: found.filter(([, p]) => !p).map(([n]) => n),
      };
    },
    GetParametersByPath: (input, ctx) => {
      const decrypt = withDecryption(input);
      const found = model.byPath(reqString(input, "Path"), optBool(input, "Recursive") ?? false);
      const page = paginate(found, pageRequest(input, 10), invalidToken);
      return { Parameters: page.items.map((p) => parameterView(p, ctx, decrypt)), NextToken: page.next };
    },
    DescribeParameters: (input, ctx) => {
      const page = paginate(model.list(parameterFilters(input)), pageRequest(input, 50), invalidToken);
      return { Parameters: page.items.map((p) => parameterMetadataView(p, ctx)), NextToken: page.next };
    },
    DeleteParameter: mutating(durable, (input) => {
      model.delete(reqString(input, "Name"));
      return {};
    }),
  };
}
