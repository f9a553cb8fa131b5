import type { Dimension } from "@aws-sdk/client-cloudwatch";
import { invalidValue, missingParameter } from "./errors.js";

// A metric is its namespace, its name and its dimensions taken as a set: the same dimensions in
// another order are the same metric, one dimension more or less is another metric.

export interface MetricId {
  namespace: string;
  metricName: string;
  /** Sorted by name, so that equal sets look equal. */
  dimensions: { Name: string; Value: string }[];
}

export const MAX_DIMENSIONS = 30;

export function metricId(namespace: string, metricName: string, dimensions: Dimension[] = []): MetricId {
  const sorted = dimensions
    .map(checkDimension)
    .sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  if (sorted.length > MAX_DIMENSIONS) {
    throw invalidValue(`The collection Dimensions must not have more than ${MAX_DIMENSIONS} members.`);
  }
  if (new Set(sorted.map((d) => d.Name)).size !== sorted.length) {
    throw invalidValue("The collection Dimensions must not contain duplicate dimension names.");
  }
  return { namespace, metricName, dimensions: sorted };
}

export function metricKey(id: MetricId): string {
  return JSON.stringify([id.namespace, id.metricName, id.dimensions.map((d) => [d.Name, d.Value])]);
}

function checkDimension(dimension: Dimension): { Name: string; Value: string } {
  if (!dimension.Name) throw missingParameter("Dimensions.member.N.Name");
  if (dimension.Value === undefined || dimension.Value === "")
    throw missingParameter("Dimensions.member.N.Value");
  return { Name: dimension.Name, Value: dimension.Value };
}
