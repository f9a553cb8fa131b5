import { waitFor } from "@platform/local-region/testing";
import type { LbClient, LbRequest } from "./lb-client.js";

// A bounded load generator: a few workers send requests in turn until stopped, until `maxRequests`
// or until `maxMs`, whichever comes first, and keep every request's result for the assertions.

export interface Sample {
  /** Which stream of requests it belongs to ("qa", "prod", ...). */
  stream: string;
  host: string;
  path: string;
  startedAt: number;
  endedAt: number;
  status: number;
  body: string;
  /** Over a connection an earlier request opened (absent when the request failed). */
  reusedConnection?: boolean;
  error?: string;
}

export interface LoadStream {
  name: string;
  requests: LbRequest[];
  workers: number;
  /** The listener and connection mode of this stream, when not startLoad's client. */
  client?: LbClient;
}

export interface LoadOptions {
  streams: LoadStream[];
  maxRequests: number;
  maxMs: number;
  /** Pause of each worker between its requests, so the load leaves the 2 cores some room. */
  pauseMs: number;
}

export interface RunningLoad {
  count(): number;
  samples(): readonly Sample[];
  /** Stops the workers after their current request; resolves with every sample. */
  stop(): Promise<Sample[]>;
}

export function startLoad(client: LbClient, options: LoadOptions): RunningLoad {
  const samples: Sample[] = [];
  const started = Date.now();
  let stopped = false;
  let sent = 0;
  const more = () => !stopped && sent < options.maxRequests && Date.now() - started < options.maxMs;

  const worker = async (stream: LoadStream, offset: number) => {
    for (let turn = offset; more(); turn++) {
      sent++;
      const request = stream.requests[turn % stream.requests.length] as LbRequest;
      samples.push(await sample(stream.client ?? client, stream.name, request));
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  };
  const workers = options.streams.flatMap((stream) =>
    Array.from({ length: stream.workers }, (_, i) => worker(stream, i)),
  );
  const all = Promise.all(workers);
  return {
    count: () => samples.length,
    samples: () => samples,
    stop: async () => {
      stopped = true;
      await all;
      return samples;
    },
  };
}

export async function sample(client: LbClient, stream: string, request: LbRequest): Promise<Sample> {
  const startedAt = Date.now();
  const base = { stream, host: request.host, path: request.path, startedAt };
  try {
    const response = await client.get(request);
    return {
      ...base,
      endedAt: Date.now(),
      status: response.status,
      body: response.body,
      reusedConnection: response.reusedConnection,
    };
  } catch (error) {
    return { ...base, endedAt: Date.now(), status: 0, body: "", error: (error as Error).message };
  }
}

/** Until `n` more requests than now have been answered: traffic after an event, shown not assumed. */
export async function moreRequests(
  load: RunningLoad,
  n: number,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const from = load.count();
  await waitFor(what, async () => load.count() >= from + n || undefined, timeoutMs);
}
