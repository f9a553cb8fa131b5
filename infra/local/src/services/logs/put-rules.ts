import { AwsError } from "../../contracts.js";

// What CloudWatch Logs accepts in one PutLogEvents batch (API reference, PutLogEvents): a batch it
// refuses fails whole and stores nothing; events outside the accepted time window are left out of
// an accepted batch and reported by index in `rejectedLogEventsInfo`.

export const MAX_BATCH_BYTES = 1_048_576;
export const EVENT_OVERHEAD_BYTES = 26;
export const MAX_BATCH_EVENTS = 10_000;
/** Events older than this are too old whatever the group's retention. */
export const MAX_EVENT_AGE_MS = 14 * 86_400_000;
export const MAX_EVENT_FUTURE_MS = 2 * 3_600_000;
export const MAX_BATCH_SPAN_MS = 24 * 3_600_000;
const DAY = 86_400_000;

export interface InputLogEvent {
  timestamp: number;
  message: string;
}

/** The three fields AWS sets, each only when it applies. Old/expired end indexes are exclusive. */
export interface RejectedLogEventsInfo {
  tooNewLogEventStartIndex?: number;
  tooOldLogEventEndIndex?: number;
  expiredLogEventEndIndex?: number;
}

/** The batch's accepted events, `events.slice(start, end)`, and what was left out. */
export interface BatchVerdict {
  start: number;
  end: number;
  rejected?: RejectedLogEventsInfo;
}

const invalid = (message: string) => new AwsError("InvalidParameterException", message);

/** The batch's size as CloudWatch counts it: UTF-8 message bytes plus 26 per event. */
export function batchBytes(events: InputLogEvent[]): number {
  let bytes = 0;
  for (const e of events) bytes += Buffer.byteLength(e.message, "utf8") + EVENT_OVERHEAD_BYTES;
  return bytes;
}

/** The rules that fail the whole batch, in the order CloudWatch applies them. */
export function checkBatchShape(events: InputLogEvent[]): void {
  if (events.length < 1 || events.length > MAX_BATCH_EVENTS) {
    const rule =
      events.length < 1
        ? "Member must have length greater than or equal to 1"
        : `Member must have length less than or equal to ${MAX_BATCH_EVENTS}`;
    throw invalid(`1 validation error detected: Value at 'logEvents' failed to satisfy constraint: ${rule}`);
  }
  const bytes = batchBytes(events);
  if (bytes > MAX_BATCH_BYTES) {
    throw invalid(`Upload too large: ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
  }
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.timestamp < events[i - 1]!.timestamp) {
      throw invalid("Log events in a single PutLogEvents request must be in chronological order.");
    }
  }
}

/**
 * Which events of a well-formed (chronological) batch are stored: a prefix can be too old (past
 * 14 days) or expired (before the group's retention), a suffix too new (over 2 hours ahead). The
 * events left must not span more than 24 hours, or the whole batch fails.
 */
export function judgeBatch(events: InputLogEvent[], now: number, retentionInDays?: number): BatchVerdict {
  const tooOldEnd = countBefore(events, now - MAX_EVENT_AGE_MS);
  const expiredEnd = retentionInDays === undefined ? 0 : countBefore(events, now - retentionInDays * DAY);
  const tooNewStart = events.length - countAfter(events, now + MAX_EVENT_FUTURE_MS);
  const start = Math.min(Math.max(tooOldEnd, expiredEnd), tooNewStart);
  const end = tooNewStart;
  if (end > start && events[end - 1]!.timestamp - events[start]!.timestamp > MAX_BATCH_SPAN_MS) {
    throw invalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
  }
  const rejected: RejectedLogEventsInfo = {
    ...(tooNewStart < events.length ? { tooNewLogEventStartIndex: tooNewStart } : {}),
    ...(tooOldEnd > 0 ? { tooOldLogEventEndIndex: tooOldEnd } : {}),
    ...(expiredEnd > 0 ? { expiredLogEventEndIndex: expiredEnd } : {}),
  };
  return Object.keys(rejected).length > 0 ? { start, end, rejected } : { start, end };
}

function countBefore(events: InputLogEvent[], cutoff: number): number {
  let n = 0;
  while (n < events.length && events[n]!.timestamp < cutoff) n++;
  return n;
}

function countAfter(events: InputLogEvent[], cutoff: number): number {
  let n = 0;
  while (n < events.length && events[events.length - 1 - n]!.timestamp > cutoff) n++;
  return n;
}
