import { AwsError } from "../../../contracts.js";

// CloudWatch Logs answers every malformed pattern with InvalidParameterException. Two wordings are
// seen from the real service (AWS CLI output quoted in public issues and notes):
// "Invalid character(s) in term '<chars>'" when a term holds a character that needs quotes, and
// "Invalid metric filter pattern" for the rest (PutMetricFilter's wording; FilterLogEvents' own
// wording for structural errors could not be found, so the same sentence serves both).
export const INVALID_PATTERN = "Invalid metric filter pattern";

export class FilterPatternError extends AwsError {
  constructor(message: string = INVALID_PATTERN) {
    super("InvalidParameterException", message);
  }
}

export const invalidTerm = (chars: string) =>
  new FilterPatternError(`Invalid character(s) in term '${chars}'`);
export const invalidPattern = () => new FilterPatternError();
