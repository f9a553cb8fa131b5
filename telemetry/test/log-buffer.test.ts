import { describe, expect, it } from "vitest";
import {
  dropMessage,
  EVENT_OVERHEAD_BYTES,
  LogBuffer,
  MAX_EVENT_BYTES,
  PUT_LOG_EVENTS_MAX_BYTES,
  PUT_LOG_EVENTS_MAX_EVENTS,
  sizeOf,
} from "../src/log-buffer.js";

const event = (timestamp: number, message = `line ${timestamp}`) => ({ timestamp, message });

describe("the log buffer", () => {
  it("holds at most its limit of lines and counts what it drops", () => {
    const buffer = new LogBuffer({ maxEvents: 3, maxBytes: 1_000_000 });
    for (let i = 0; i < 5; i++) buffer.add(event(i));
    expect(buffer.length).toBe(3);
    const report = buffer.takeDropped();
    expect(report?.count).toBe(2);
    expect(dropMessage(report!)).toBe(
      "dropped 2 log lines: buffer full (CloudWatch Logs slow or unreachable) (2)",
    );
    expect(buffer.takeDropped()).toBeUndefined();
  });

  it("holds at most its limit of bytes", () => {
    const buffer = new LogBuffer({ maxEvents: 1000, maxBytes: 3 * (10 + EVENT_OVERHEAD_BYTES) });
    for (let i = 0; i < 4; i++) buffer.add(event(i, "0123456789"));
    expect(buffer.length).toBe(3);
    expect(buffer.takeDropped()?.count).toBe(1);
  });

  it("makes batches PutLogEvents accepts: at most 10,000 events and 1 MiB, in time order", () => {
    const many = new LogBuffer({ maxEvents: 25_000, maxBytes: 64 * 1024 * 1024 });
    for (let i = 0; i < 12_000; i++) many.add(event(i, "x"));
    expect(many.takeBatch()).toHaveLength(PUT_LOG_EVENTS_MAX_EVENTS);
    expect(many.takeBatch()).toHaveLength(2000);

    const big = new LogBuffer({ maxEvents: 1000, maxBytes: 64 * 1024 * 1024 });
    for (let i = 0; i < 20; i++) big.add(event(i, "y".repeat(100_000)));
    const batch = big.takeBatch();
    expect(batch.reduce((n, e) => n + sizeOf(e), 0)).toBeLessThanOrEqual(PUT_LOG_EVENTS_MAX_BYTES);
    expect(batch).toHaveLength(10);

    const unordered = new LogBuffer({ maxEvents: 10, maxBytes: 10_000 });
    for (const t of [3, 1, 2]) unordered.add(event(t));
    expect(unordered.takeBatch().map((e) => e.timestamp)).toEqual([1, 2, 3]);
  });

  it("truncates a line over CloudWatch's event size instead of losing it", () => {
    const buffer = new LogBuffer({ maxEvents: 10, maxBytes: 4 * 1024 * 1024 });
    buffer.add(event(1, "é".repeat(200_000)));
    const [line] = buffer.takeBatch();
    expect(Buffer.byteLength(line!.message)).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    expect(line!.message.endsWith("…")).toBe(true);
  });

  it("puts an unsent batch back in front, dropping (and counting) what no longer fits", () => {
    const buffer = new LogBuffer({ maxEvents: 4, maxBytes: 1_000_000 });
    for (let i = 0; i < 3; i++) buffer.add(event(i));
    const batch = buffer.takeBatch();
    for (let i = 3; i < 5; i++) buffer.add(event(i));
    buffer.putBack(batch, "PutLogEvents failed: TimeoutError");
    expect(buffer.takeBatch().map((e) => e.timestamp)).toEqual([0, 1, 3, 4]);
    expect(buffer.takeDropped()).toEqual({ count: 1, reasons: [["PutLogEvents failed: TimeoutError", 1]] });
  });

  it("counts everything it held when emptied at shutdown", () => {
    const buffer = new LogBuffer({ maxEvents: 10, maxBytes: 10_000 });
    for (let i = 0; i < 4; i++) buffer.add(event(i));
    buffer.dropAll("unsent at shutdown");
    expect(buffer.length).toBe(0);
    expect(buffer.takeDropped()?.count).toBe(4);
  });
});
