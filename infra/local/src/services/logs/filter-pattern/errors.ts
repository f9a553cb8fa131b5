import { AwsError } from "../../../contracts.js";

// CloudWatch Logs answers every malformed pattern with InvalidParameterException. The wordings are
// the real service's, from probes of TestMetricFilter and FilterLogEvents (published in
// radkawar/stackd, testdata/aws/logs/filters.json) and from CLI output quoted in public issues:
// - "Invalid character(s) in term '<text>'" names the offending term, up to and including the
//   first character that does not belong (`ERR*` → '*', `%^(` , `$."`, `[0:`);
// - a structural mistake reads "Invalid metric filter pattern" from the metric filter operations
//   and "Invalid filter pattern" from FilterLogEvents, so its message depends on the use;
// - the quotas and a few specific rules have sentences of their own.

export type PatternUse = "metricFilter" | "filterLogEvents";

const SYNTAX_MESSAGES: Record<PatternUse, string> = {
  metricFilter: "Invalid metric filter pattern",
  filterLogEvents: "Invalid filter pattern",
};

export const INVALID_PATTERN = SYNTAX_MESSAGES.metricFilter;

export class FilterPatternError extends AwsError {
  constructor(
    message: string,
    /** A structural error, whose wording depends on the operation (see withUse). */
    readonly syntax = false,
  ) {
    super("InvalidParameterException", message);
  }

  /** The same error as the given operation words it. */
  withUse(use: PatternUse): FilterPatternError {
    return this.syntax ? new FilterPatternError(SYNTAX_MESSAGES[use], true) : this;
  }
}

export const invalidTerm = (term: string) => new FilterPatternError(`Invalid character(s) in term '${term}'`);
export const invalidPattern = () => new FilterPatternError(INVALID_PATTERN, true);
export const tooManyRegexes = (max: number) =>
  new FilterPatternError(
    `Your input has exceeded the maximum of ${max} regular expressions per filter pattern.`,
  );
export const tooManyWildcardSelectors = (max: number) =>
  new FilterPatternError(
    `Your input has exceeded the maximum of ${max} JSON wildcard selectors allowed per filter pattern.`,
  );
export const tooManyWildcardsInSelector = (max: number) =>
  new FilterPatternError(
    `Your filter pattern has a JSON path selector that exceeds the maximum of ${max} wildcard allowed per json selector.`,
  );
export const regexCompileFailure = () => new FilterPatternError("Failed to compile regular expression.");
export const duplicateField = (name: string) => new FilterPatternError(`Duplicate field '${name}'`);
