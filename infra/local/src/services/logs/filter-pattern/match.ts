/**
 * What a matching event yields: the values TestMetricFilter reports as `extractedValues`
 * (`$.eventType`, `$status_code`, `$3`), and any field a metric value or dimension refers to.
 */
export interface PatternMatch {
  extractedValues: Record<string, string>;
  value(reference: string): string | undefined;
}

export const NOTHING_EXTRACTED: PatternMatch = { extractedValues: {}, value: () => undefined };
