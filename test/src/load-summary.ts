import type { Sample } from "./load.js";

// Pure reading of a load run: what failed, and when each version was served.

export interface LabelSpan {
  count: number;
  firstAt: number;
  lastAt: number;
}

export interface LoadSummary {
  total: number;
  failed: Sample[];
  byStatus: Record<string, number>;
  /** Per label (e.g. the image a version answer named): how often and when it was served. */
  labels: Record<string, LabelSpan>;
}

/** A request failed unless it got a 200 (a 503 while draining is a failure seen by a user). */
export function isFailure(sample: Sample): boolean {
  return sample.status !== 200 || sample.error !== undefined;
}

export function summarize(
  samples: readonly Sample[],
  label: (sample: Sample) => string | undefined = () => undefined,
): LoadSummary {
  const byStatus: Record<string, number> = {};
  const labels: Record<string, LabelSpan> = {};
  for (const s of samples) {
    const status = s.error ? `error: ${s.error}` : String(s.status);
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    const name = isFailure(s) ? undefined : label(s);
    if (name === undefined) continue;
    const span = labels[name];
    if (!span) labels[name] = { count: 1, firstAt: s.endedAt, lastAt: s.endedAt };
    else {
      span.count++;
      span.firstAt = Math.min(span.firstAt, s.endedAt);
      span.lastAt = Math.max(span.lastAt, s.endedAt);
    }
  }
  return { total: samples.length, failed: samples.filter(isFailure), byStatus, labels };
}

/** The `field` of a JSON body, or undefined when the body is not JSON or lacks it. */
export function jsonField(field: string): (sample: Sample) => string | undefined {
  return (sample) => {
    try {
      const value = (JSON.parse(sample.body) as Record<string, unknown>)[field];
      return typeof value === "string" ? value : undefined;
    } catch {
      return undefined;
    }
  };
}

/** summarize() per stream. */
export function summarizeStreams(
  samples: readonly Sample[],
  label: (sample: Sample) => string | undefined = () => undefined,
): Record<string, LoadSummary> {
  const streams = [...new Set(samples.map((s) => s.stream))];
  return Object.fromEntries(
    streams.map((stream) => [
      stream,
      summarize(
        samples.filter((s) => s.stream === stream),
        label,
      ),
    ]),
  );
}

/** The commit a /api/v1/version answer names: which version served the request. */
export const commitOf = jsonField("commit");
