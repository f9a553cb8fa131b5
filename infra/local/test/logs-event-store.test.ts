import { appendFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EventStore, memorySegments, type SegmentIo } from "../src/services/logs/event-store.js";
import { diskSegments } from "../src/services/logs/segment-files.js";

// A stream's events as append-only segments: sequence numbers, the per-stream cap, retention's
// bounded removal, and on disk, a reload and a torn last line.

const key = { group: "/ecs/api", stream: "ecs/api/1" };
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "logs-segments-"));
  dirs.push(dir);
  return dir;
}

const lines = (from: number, count: number, timestamp = (i: number) => i) =>
  Array.from({ length: count }, (_, i) => ({ timestamp: timestamp(from + i), message: `line ${from + i}` }));

const messages = (store: EventStore) => [...store.read(key)].map((e) => e.message);

describe.each([
  ["memory", () => memorySegments()],
  ["disk", () => diskSegments(tempDir())],
] as [string, () => SegmentIo][])("event store (%s)", (_, io) => {
  it("numbers events in order across segments and reads them back, a segment at a time", () => {
    const store = new EventStore(io(), { maxEventsPerStream: 1000, segmentBytes: 200 });
    store.append(key, lines(0, 10), 100, false);
    store.append(key, lines(10, 10), 200, true);
    const events = [...store.read(key)];
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(events[15]).toEqual({ seq: 15, timestamp: 15, message: "line 15", ingestionTime: 200 });
    expect([...store.read(key, { fromSeq: 18 })].map((e) => e.message)).toEqual(["line 18", "line 19"]);
    expect(store.last(key, 3).map((e) => e.seq)).toEqual([17, 18, 19]);
    expect(store.nextSeq(key)).toBe(20);
    expect(store.bytes(key)).toBeGreaterThan(0);
  });

  it("keeps the newest events past the stream's cap and frees whole segments", () => {
    const store = new EventStore(io(), { maxEventsPerStream: 25, segmentBytes: 100 });
    for (let i = 0; i < 100; i += 5) store.append(key, lines(i, 5), 0, false);
    expect(messages(store)).toEqual(lines(75, 25).map((l) => l.message));
    const bytesAfterCap = store.bytes(key);
    for (let i = 100; i < 200; i += 5) store.append(key, lines(i, 5), 0, false);
    expect(store.bytes(key)).toBeLessThan(bytesAfterCap * 2);
  });

  it("removes segments past a cutoff, at most the budget of them, never the open one", () => {
    const store = new EventStore(io(), { maxEventsPerStream: 1000, segmentBytes: 1 });
    for (let i = 0; i < 6; i++) store.append(key, lines(i, 1), 0, false);
    expect(store.expire(key, 4, 2)).toBe(2);
    expect(messages(store)).toEqual(["line 2", "line 3", "line 4", "line 5"]);
    expect(store.expire(key, 100, 10)).toBe(3);
    expect(messages(store)).toEqual(["line 5"]);
  });
});

describe("event store on disk", () => {
  it("reloads a stream from its segments and continues its numbering", () => {
    const dir = tempDir();
    const first = new EventStore(diskSegments(dir), { maxEventsPerStream: 1000, segmentBytes: 150 });
    first.append(key, lines(0, 8), 1, true);
    first.append(key, lines(8, 4), 2, true);
    const again = new EventStore(diskSegments(dir), { maxEventsPerStream: 1000, segmentBytes: 150 });
    expect(again.bytes(key)).toBe(first.bytes(key));
    expect([...again.read(key)]).toEqual([...first.read(key)]);
    again.append(key, lines(12, 1), 3, true);
    expect(again.last(key, 1)).toEqual([{ seq: 12, timestamp: 12, message: "line 12", ingestionTime: 3 }]);
  });

  it("drops a line a crash cut short, and appends after it cleanly", () => {
    const dir = tempDir();
    const first = new EventStore(diskSegments(dir), { maxEventsPerStream: 1000, segmentBytes: 1 << 20 });
    first.append(key, lines(0, 2), 1, true);
    const folder = join(dir, "logs", readdirSync(join(dir, "logs"))[0]!);
    const streamFolder = join(folder, readdirSync(folder)[0]!);
    appendFileSync(join(streamFolder, readdirSync(streamFolder)[0]!), '[5,1,"torn');
    const again = new EventStore(diskSegments(dir), { maxEventsPerStream: 1000, segmentBytes: 1 << 20 });
    expect(messages(again)).toEqual(["line 0", "line 1"]);
    again.append(key, lines(2, 1), 2, true);
    expect(messages(again)).toEqual(["line 0", "line 1", "line 2"]);
  });
});
