import { describe, expect, it } from "vitest";
import { AwsError } from "../src/contracts.js";
import {
  batchBytes,
  checkBatchShape,
  judgeBatch,
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
} from "../src/services/logs/put-rules.js";

// PutLogEvents' batch rules as the API reference states them: what fails a batch, and which
// events of an accepted one are left out, by index. Pure functions, no model.

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof AwsError && error.code === "InvalidParameterException") return error.message;
    throw error;
  }
  throw new Error("expected InvalidParameterException");
}

const at = (...timestamps: number[]) => timestamps.map((timestamp, i) => ({ timestamp, message: `m${i}` }));

describe("PutLogEvents batch rules", () => {
  it("counts a batch as its UTF-8 message bytes plus 26 per event and refuses one over 1,048,576", () => {
    expect(batchBytes([{ timestamp: 0, message: "é" }])).toBe(2 + 26);
    const exact = [{ timestamp: NOW, message: "x".repeat(MAX_BATCH_BYTES - 26) }];
    expect(() => checkBatchShape(exact)).not.toThrow();
    const over = [{ timestamp: NOW, message: "x".repeat(MAX_BATCH_BYTES - 25) }];
    expect(refusal(() => checkBatchShape(over))).toBe(
      "Upload too large: 1048577 bytes exceeds limit of 1048576",
    );
  });

  it("refuses an empty batch and one over 10,000 events with the API's validation messages", () => {
    expect(refusal(() => checkBatchShape([]))).toBe(
      "1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    const many = Array.from({ length: MAX_BATCH_EVENTS + 1 }, () => ({ timestamp: NOW, message: "" }));
    expect(refusal(() => checkBatchShape(many))).toBe(
      "1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to 10000",
    );
    expect(() => checkBatchShape(many.slice(1))).not.toThrow();
  });

  it("refuses events out of chronological order; equal timestamps are in order", () => {
    expect(refusal(() => checkBatchShape(at(NOW, NOW - 1)))).toBe(
      "Log events in a single PutLogEvents request must be in chronological order.",
    );
    expect(() => checkBatchShape(at(NOW, NOW, NOW + 1))).not.toThrow();
  });

  it("leaves out a too-old prefix and a too-new suffix, indexed as AWS does (end exclusive, start inclusive)", () => {
    const events = at(
      NOW - 15 * DAY,
      NOW - 14 * DAY - 1,
      NOW - HOUR,
      NOW,
      NOW + 2 * HOUR + 1,
      NOW + 3 * HOUR,
    );
    expect(judgeBatch(events, NOW)).toEqual({
      start: 2,
      end: 4,
      rejected: { tooOldLogEventEndIndex: 2, tooNewLogEventStartIndex: 4 },
    });
    expect(judgeBatch(at(NOW - 14 * DAY), NOW)).toEqual({ start: 0, end: 1 });
    expect(judgeBatch(at(NOW + 2 * HOUR), NOW)).toEqual({ start: 0, end: 1 });
  });

  it("reports events before the group's retention as expired, apart from the 14-day limit", () => {
    const events = at(NOW - 20 * DAY, NOW - 3 * DAY, NOW - 2 * DAY, NOW);
    expect(judgeBatch(events, NOW, 1)).toEqual({
      start: 3,
      end: 4,
      rejected: { tooOldLogEventEndIndex: 1, expiredLogEventEndIndex: 3 },
    });
    expect(judgeBatch(at(NOW - 20 * HOUR, NOW), NOW, 1)).toEqual({ start: 0, end: 2 });
  });

  it("stores nothing of a batch whose events are all out of the window, without failing it", () => {
    expect(judgeBatch(at(NOW - 20 * DAY, NOW - 15 * DAY), NOW)).toEqual({
      start: 2,
      end: 2,
      rejected: { tooOldLogEventEndIndex: 2 },
    });
    expect(judgeBatch(at(NOW + 3 * HOUR), NOW)).toEqual({
      start: 0,
      end: 0,
      rejected: { tooNewLogEventStartIndex: 0 },
    });
  });

  it("fails a batch whose accepted events span more than 24 hours; left-out events do not count", () => {
    expect(refusal(() => judgeBatch(at(NOW - 25 * HOUR, NOW), NOW))).toBe(
      "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.",
    );
    expect(() => judgeBatch(at(NOW - 24 * HOUR, NOW), NOW)).not.toThrow();
    expect(judgeBatch(at(NOW - 20 * DAY, NOW - 23 * HOUR, NOW), NOW).start).toBe(1);
  });
});
