import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import { percentile } from "./latency.js";

// An open-loop load: requests sent on a fixed schedule (rate r: request i at i/r s), whether or not
// the earlier ones were answered, as independent users would; a closed loop (load.ts) slows down with
// the server and hides its queue. Bounded in count (rate × duration), in time (the step, then each
// request's timeout) and in requests in flight (past that a request is not sent and is counted as such).

export interface OpenLoopRequest {
  method: "GET" | "POST";
  host: string;
  path: string;
  headers?: Record<string, string>;
  /** A POST's body, made per request (a token of its own). */
  body?: (i: number) => string;
  /** Keep the answer's body (a job id to cancel later); else it is read and dropped. */
  keepBody?: boolean;
}

export interface Shot {
  /** ms from the step's start: when the schedule says to send, when it was sent, when it ended. */
  scheduledMs: number;
  sentMs: number;
  endedMs: number;
  status: number;
  error?: string;
  body?: string;
}

export interface StepOptions {
  port: number;
  ratePerSecond: number;
  durationMs: number;
  maxInFlight: number;
  timeoutMs: number;
  agent: Agent;
}

export interface StepRun {
  shots: Shot[];
  /** Due while `maxInFlight` requests were out: not sent. */
  notSent: number;
  wallMs: number;
  /** This process's CPU over the step (user + system), ms: the load generator's own cost. */
  cpuMs: number;
}

/** A keep-alive pool the steps of one target share (its connections stay warm between steps). */
export function keepAliveAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

export async function runStep(req: OpenLoopRequest, options: StepOptions): Promise<StepRun> {
  const count = Math.round((options.ratePerSecond * options.durationMs) / 1000);
  const shots: Shot[] = [];
  const pending = new Set<Promise<void>>();
  let notSent = 0;
  const cpuBefore = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < count; ) {
    const due = Math.min(count, Math.floor(((performance.now() - t0) * options.ratePerSecond) / 1000) + 1);
    for (; i < due; i++) {
      if (pending.size >= options.maxInFlight) {
        notSent++;
        continue;
      }
      const scheduledMs = (i * 1000) / options.ratePerSecond;
      const p = send(req, i, options, t0).then((shot) => {
        shots.push({ ...shot, scheduledMs });
        pending.delete(p);
      });
      pending.add(p);
    }
    // 1 ms ticks: at 1,000 req/s and above a tick sends a burst of the requests that fell due.
    if (i < count) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  const cpu = process.cpuUsage(cpuBefore);
  return {
    shots: shots.sort((a, b) => a.scheduledMs - b.scheduledMs),
    notSent,
    wallMs: performance.now() - t0,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

function send(
  req: OpenLoopRequest,
  i: number,
  options: StepOptions,
  t0: number,
): Promise<Omit<Shot, "scheduledMs">> {
  const sentMs = performance.now() - t0;
  const body = req.body?.(i);
  return new Promise((resolve) => {
    let settled = false;
    const done = (status: number, error?: string, text?: string) => {
      if (settled) return;
      settled = true;
      resolve({
        sentMs,
        endedMs: performance.now() - t0,
        status,
        ...(error !== undefined && { error }),
        ...(text !== undefined && { body: text }),
      });
    };
    const r = request(
      {
        host: "127.0.0.1",
        port: options.port,
        method: req.method,
        path: req.path,
        agent: options.agent,
        headers: {
          ...req.headers,
          host: req.host,
          ...(body !== undefined && {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
          }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => {
          if (req.keepBody) chunks.push(c);
        });
        res.on("end", () =>
          done(res.statusCode ?? 0, undefined, req.keepBody ? Buffer.concat(chunks).toString() : undefined),
        );
        res.on("error", (e) => done(0, e.message));
      },
    );
    r.setTimeout(options.timeoutMs, () => r.destroy(new Error("request timed out")));
    r.on("error", (e) => done(0, e.message));
    r.end(body);
  });
}

// Pure: what a step says.

export interface StepFigures {
  target: string;
  ratePerSecond: number;
  sent: number;
  notSent: number;
  failures: number;
  /** The failures by status or error: "502 × 3, request timed out × 1". */
  failedAs?: string;
  /** Answered requests per second of the step's wall time. */
  achievedPerSecond: number;
  /** Sent → answered, ms, of the answered requests. */
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  /** Scheduled → sent, ms: how far the generator itself fell behind (its own CPU). */
  lagP99Ms?: number;
  /** The load generator's CPU over the step, % of one core. */
  generatorCpuPercent: number;
}

const round1 = (v: number | undefined) => (v === undefined ? undefined : Math.round(v * 10) / 10);

export function stepFigures(target: string, ratePerSecond: number, run: StepRun): StepFigures {
  // A 4xx is a failure too: every request the steps send is valid, so it can only be the server refusing.
  const answered = (s: Shot) => s.error === undefined && s.status >= 200 && s.status < 400;
  const ok = run.shots.filter(answered);
  const ms = ok.map((s) => s.endedMs - s.sentMs);
  const lag = run.shots.map((s) => s.sentMs - s.scheduledMs);
  const figures: StepFigures = {
    target,
    ratePerSecond,
    sent: run.shots.length,
    notSent: run.notSent,
    failures: run.shots.length - ok.length,
    achievedPerSecond: Math.round((ok.length * 1000) / run.wallMs),
    generatorCpuPercent: Math.round((1000 * run.cpuMs) / run.wallMs) / 10,
  };
  const failed = run.shots.filter((s) => !answered(s));
  if (failed.length > 0) figures.failedAs = countBy(failed.map((s) => s.error ?? String(s.status)));
  const add = (key: "p50Ms" | "p95Ms" | "p99Ms" | "lagP99Ms", v: number | undefined) => {
    const r = round1(v);
    if (r !== undefined) figures[key] = r;
  };
  add("p50Ms", percentile(ms, 50));
  add("p95Ms", percentile(ms, 95));
  add("p99Ms", percentile(ms, 99));
  add("lagP99Ms", percentile(lag, 99));
  return figures;
}

function countBy(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([v, n]) => `${v} × ${n}`).join(", ");
}

/** The doubling rates from `from` up to `to` inclusive: 50, 100, 200, ... */
export function doublingRates(from: number, to: number): number[] {
  if (!(from > 0) || to < from) throw new Error(`rates need 0 < from <= to, got ${from}..${to}`);
  const rates: number[] = [];
  for (let r = from; r <= to; r *= 2) rates.push(r);
  return rates;
}

/**
 * The first rate of a target's steps whose p99 passed the threshold (a step with failures counts as
 * passed: its answered requests' p99 flatters it); undefined when none did.
 */
export function rateWhereP99Passes(steps: readonly StepFigures[], thresholdMs: number): number | undefined {
  return [...steps]
    .sort((a, b) => a.ratePerSecond - b.ratePerSecond)
    .find((s) => s.failures > 0 || (s.p99Ms ?? Number.POSITIVE_INFINITY) > thresholdMs)?.ratePerSecond;
}

/** Whether to stop stepping up a target: it fell well short of the rate, failed, or its p99 is far past any threshold. */
export function saturated(step: StepFigures, p99CapMs: number): boolean {
  return (
    step.achievedPerSecond < 0.7 * step.ratePerSecond ||
    step.failures + step.notSent > 0.05 * (step.sent + step.notSent) ||
    (step.p99Ms ?? 0) > p99CapMs
  );
}
