import type { LbClient, LbRequest } from "./lb-client.js";
import { type Sample, sample } from "./load.js";

// Open-loop load: each stream sends at its own fixed rate whatever the answers take (a slow target
// does not slow the senders down, as users would not), so latency is measured against the schedule.
// Bounded in time and in requests in flight: past the cap a due request is counted as not sent.

export interface RateStream {
  name: string;
  client: LbClient;
  requests: LbRequest[];
  perSecond: number;
}

export interface OpenLoopOptions {
  maxMs: number;
  /** Requests in flight across all streams before due ones are skipped (and counted). */
  maxInFlight: number;
  tickMs?: number;
}

export interface OpenLoop {
  count(): number;
  /** Due requests not sent because `maxInFlight` were outstanding. */
  skipped(): number;
  stop(): Promise<Sample[]>;
}

/** Requests a stream at `perSecond` should have sent `elapsedMs` after its start, less those sent. */
export function dueCount(elapsedMs: number, perSecond: number, sent: number): number {
  return Math.max(0, Math.floor((elapsedMs * perSecond) / 1000) - sent);
}

export function startOpenLoop(streams: readonly RateStream[], options: OpenLoopOptions): OpenLoop {
  const samples: Sample[] = [];
  const started = Date.now();
  const sent = streams.map(() => 0);
  const pending = new Set<Promise<void>>();
  let skipped = 0;
  const send = (stream: RateStream, n: number) => {
    const request = stream.requests[n % stream.requests.length] as LbRequest;
    const done = sample(stream.client, stream.name, request).then((s) => {
      samples.push(s);
      pending.delete(done);
    });
    pending.add(done);
  };
  const tick = () => {
    const elapsed = Date.now() - started;
    if (elapsed >= options.maxMs) return stop();
    streams.forEach((stream, i) => {
      for (let due = dueCount(elapsed, stream.perSecond, sent[i] as number); due > 0; due--) {
        const n = (sent[i] as number) + 1;
        sent[i] = n;
        if (pending.size >= options.maxInFlight) skipped++;
        else send(stream, n);
      }
    });
  };
  const timer = setInterval(tick, options.tickMs ?? 10);
  let stopping: Promise<Sample[]> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      clearInterval(timer);
      await Promise.all(pending);
      return samples;
    })());
  return { count: () => samples.length, skipped: () => skipped, stop };
}
