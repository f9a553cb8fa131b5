// Log events, apart from the groups' and streams' JSON state: each stream is a run of append-only
// segments. A segment holds consecutive events, one JSON line each (`[timestamp, ingestionTime,
// message]`), and is named by the sequence number of its first event, so an event's number (its
// eventId) follows from its place. Only the segments' index (counts, time bounds, bytes) is kept in
// memory; events are read back from the segments. Whole segments go when the stream is over its
// event cap or their events are past the group's retention.

export interface StoredLogEvent {
  /** The event's number in its stream, from 0; stable for the stream's life. */
  seq: number;
  timestamp: number;
  message: string;
  ingestionTime: number;
}

export interface SegmentIndex {
  firstSeq: number;
  count: number;
  minTimestamp: number;
  maxTimestamp: number;
  bytes: number;
}

export interface StreamKey {
  group: string;
  stream: string;
}

/** Where segments live: the region's disk, or memory for the models' tests. */
export interface SegmentIo {
  /** The stream's segments, oldest first: sealed ones with the index written when sealed, the open one as text. */
  load(key: StreamKey): { firstSeq: number; index?: SegmentIndex; text?: string }[];
  append(key: StreamKey, firstSeq: number, text: string, sync: boolean): void;
  seal(key: StreamKey, index: SegmentIndex): void;
  read(key: StreamKey, firstSeq: number): string;
  remove(key: StreamKey, firstSeq: number): void;
  removeStream(key: StreamKey): void;
  /** The bytes of the stream's segments, without reading them. */
  bytes(key: StreamKey): number;
}

export interface EventStoreLimits {
  /** Events kept per stream; the oldest beyond it are dropped, a segment at a time. */
  maxEventsPerStream: number;
  /** A segment is sealed, and a new one begun, past this size. */
  segmentBytes: number;
}

interface StreamSegments {
  segments: SegmentIndex[];
  nextSeq: number;
}

export class EventStore {
  private readonly streams = new Map<string, StreamSegments>();

  constructor(
    private readonly io: SegmentIo,
    readonly limits: EventStoreLimits,
  ) {}

  /** Appends events in the order given; with `sync`, on disk before it returns. */
  append(
    key: StreamKey,
    events: { timestamp: number; message: string }[],
    ingestionTime: number,
    sync: boolean,
  ) {
    if (events.length === 0) return;
    const s = this.open(key);
    let open = s.segments.at(-1);
    if (!open || open.bytes >= this.limits.segmentBytes) {
      if (open) this.io.seal(key, open);
      open = { firstSeq: s.nextSeq, count: 0, minTimestamp: Infinity, maxTimestamp: -Infinity, bytes: 0 };
      s.segments.push(open);
    }
    const text = events.map((e) => `${JSON.stringify([e.timestamp, ingestionTime, e.message])}\n`).join("");
    this.io.append(key, open.firstSeq, text, sync);
    for (const e of events) addToIndex(open, e.timestamp);
    open.bytes += Buffer.byteLength(text, "utf8");
    s.nextSeq += events.length;
    this.enforceCap(key, s);
  }

  /** The stream's retained events from `fromSeq` on, oldest first, read a segment at a time. */
  *read(key: StreamKey, range: { fromSeq?: number; startTime?: number; endTime?: number } = {}) {
    const s = this.open(key);
    const from = Math.max(range.fromSeq ?? 0, this.firstKept(s));
    for (const segment of [...s.segments]) {
      if (segment.firstSeq + segment.count <= from) continue;
      if (!overlaps(segment, range)) continue;
      yield* parseSegment(this.io.read(key, segment.firstSeq), segment.firstSeq, from);
    }
  }

  /** The last `count` events of a stream. */
  last(key: StreamKey, count: number): StoredLogEvent[] {
    const s = this.open(key);
    const fromSeq = Math.max(0, s.nextSeq - count);
    return [...this.read(key, { fromSeq })];
  }

  /** The number the stream's next event gets. */
  nextSeq(key: StreamKey): number {
    return this.open(key).nextSeq;
  }

  /** Bytes of the stream's segments; a stream not read since the start is not loaded for it. */
  bytes(key: StreamKey): number {
    const s = this.streams.get(keyOf(key));
    return s ? s.segments.reduce((n, segment) => n + segment.bytes, 0) : this.io.bytes(key);
  }

  /**
   * Removes segments whose every event is older than `cutoff`, at most `budget` of them, and
   * says how many it removed (a sweep does bounded work, the next one goes on).
   */
  expire(key: StreamKey, cutoff: number, budget: number): number {
    const s = this.open(key);
    let removed = 0;
    for (const segment of [...s.segments]) {
      if (removed >= budget) break;
      if (segment.maxTimestamp >= cutoff || segment === s.segments.at(-1)) continue;
      this.dropSegment(key, s, segment);
      removed++;
    }
    return removed;
  }

  removeStream(key: StreamKey): void {
    this.streams.delete(keyOf(key));
    this.io.removeStream(key);
  }

  private firstKept(s: StreamSegments): number {
    return Math.max(0, s.nextSeq - this.limits.maxEventsPerStream);
  }

  private enforceCap(key: StreamKey, s: StreamSegments): void {
    const first = this.firstKept(s);
    for (const segment of [...s.segments]) {
      if (segment.firstSeq + segment.count > first) break;
      this.dropSegment(key, s, segment);
    }
  }

  private dropSegment(key: StreamKey, s: StreamSegments, segment: SegmentIndex): void {
    this.io.remove(key, segment.firstSeq);
    s.segments.splice(s.segments.indexOf(segment), 1);
  }

  /** The stream's index, loaded from its segments on first use. */
  private open(key: StreamKey): StreamSegments {
    const id = keyOf(key);
    let s = this.streams.get(id);
    if (!s) {
      s = loadSegments(this.io.load(key));
      this.streams.set(id, s);
    }
    return s;
  }
}

function loadSegments(found: ReturnType<SegmentIo["load"]>): StreamSegments {
  const segments = found.map((f) => f.index ?? indexOf(f.firstSeq, f.text ?? ""));
  const last = segments.at(-1);
  return { segments: segments.filter((s) => s.count > 0), nextSeq: last ? last.firstSeq + last.count : 0 };
}

/** The index of an open segment, from its text; a torn last line (a crash mid-write) is not counted. */
export function indexOf(firstSeq: number, text: string): SegmentIndex {
  const index: SegmentIndex = {
    firstSeq,
    count: 0,
    minTimestamp: Infinity,
    maxTimestamp: -Infinity,
    bytes: 0,
  };
  for (const event of parseSegment(text, firstSeq, firstSeq)) addToIndex(index, event.timestamp);
  index.bytes = Buffer.byteLength(text.slice(0, text.lastIndexOf("\n") + 1), "utf8");
  return index;
}

function* parseSegment(text: string, firstSeq: number, fromSeq: number): Generator<StoredLogEvent> {
  let seq = firstSeq;
  let start = 0;
  for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
    if (seq >= fromSeq) {
      const [timestamp, ingestionTime, message] = JSON.parse(text.slice(start, end)) as [
        number,
        number,
        string,
      ];
      yield { seq, timestamp, ingestionTime, message };
    }
    seq++;
    start = end + 1;
  }
}

function addToIndex(index: SegmentIndex, timestamp: number): void {
  index.count++;
  index.minTimestamp = Math.min(index.minTimestamp, timestamp);
  index.maxTimestamp = Math.max(index.maxTimestamp, timestamp);
}

function overlaps(segment: SegmentIndex, range: { startTime?: number; endTime?: number }): boolean {
  return (
    segment.maxTimestamp >= (range.startTime ?? -Infinity) &&
    segment.minTimestamp < (range.endTime ?? Infinity)
  );
}

const keyOf = (key: StreamKey) => `${key.group}\u0000${key.stream}`;

/** Segments in memory: what the models' tests and a region without a state folder use. */
export function memorySegments(): SegmentIo {
  const streams = new Map<string, Map<number, { text: string; index?: SegmentIndex }>>();
  const of = (key: StreamKey) => {
    let s = streams.get(keyOf(key));
    if (!s) {
      s = new Map();
      streams.set(keyOf(key), s);
    }
    return s;
  };
  return {
    load: (key) =>
      [...of(key).entries()]
        .sort(([a], [b]) => a - b)
        .map(([firstSeq, s]) => (s.index ? { firstSeq, index: s.index } : { firstSeq, text: s.text })),
    append: (key, firstSeq, text) => {
      const s = of(key).get(firstSeq) ?? { text: "" };
      s.text += text;
      of(key).set(firstSeq, s);
    },
    seal: (key, index) => {
      const s = of(key).get(index.firstSeq);
      if (s) s.index = { ...index };
    },
    read: (key, firstSeq) => of(key).get(firstSeq)?.text ?? "",
    remove: (key, firstSeq) => of(key).delete(firstSeq),
    removeStream: (key) => streams.delete(keyOf(key)),
    bytes: (key) => [...of(key).values()].reduce((n, s) => n + Buffer.byteLength(s.text, "utf8"), 0),
  };
}
