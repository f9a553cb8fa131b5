// CloudWatch Logs filter patterns, as "Filter pattern syntax for metric filters, subscription
// filters, filter log events, and Live Tail" (FilterAndPatternSyntax) defines them: parse a pattern
// once with parseFilterPattern, then match events, extract their fields, or turn them into the
// datapoints of a metric filter. The parts live in filter-pattern/: terms, json-pattern (with
// json-selector), delimited, the shared literal/condition/regex readers, and metric-data.

export { FilterPatternError, INVALID_PATTERN, type PatternUse } from "./filter-pattern/errors.js";
export type { PatternMatch } from "./filter-pattern/match.js";
export {
  checkMetricTransformation,
  MAX_METRIC_FILTER_DIMENSIONS,
  type MetricFilterDatum,
  metricDataFor,
} from "./filter-pattern/metric-data.js";
export { extract, type FilterPattern, matches, parseFilterPattern } from "./filter-pattern/pattern.js";
