import { readFile } from "node:fs/promises";
import { request } from "undici";
import type { LoggedEvent } from "./job-outcomes.js";

// Transcoding jobs submitted through the load balancer at a steady pace while deploys run: a small
// generated clip uploaded once, then a job every `everyMs`, each with a client token of its own so a
// submission retried after a failed request (a task stopping) is the same job, never a second one.
// At the end the service's whole event log is read over HTTP (every job, every event).

export interface JobTarget {
  port: number;
  host: string;
  apiKey: string;
}

export interface Answer {
  status: number;
  body: unknown;
}

/** One API call through the load balancer: JSON or a clip as the body, the answer parsed when JSON. */
export async function call(
  target: JobTarget,
  method: string,
  path: string,
  body?: Buffer | object,
): Promise<Answer> {
  const raw = Buffer.isBuffer(body);
  const res = await request(`http://127.0.0.1:${target.port}${path}`, {
    method: method as "GET",
    headers: {
      host: target.host,
      authorization: `Bearer ${target.apiKey}`,
      ...(body !== undefined && { "content-type": raw ? "video/mp4" : "application/json" }),
    },
    body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const text = await res.body.text();
  try {
    return { status: res.statusCode, body: JSON.parse(text) };
  } catch {
    return { status: res.statusCode, body: text };
  }
}

/** `attempts` tries, 1 s apart, until a 2xx; the last answer or error otherwise. */
async function withRetries(what: string, attempts: number, send: () => Promise<Answer>, retried: () => void) {
  let last = "";
  for (let i = 0; i < attempts; i++) {
    if (i > 0) {
      retried();
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    try {
      const answer = await send();
      if (answer.status >= 200 && answer.status < 300) return answer;
      last = `${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
    } catch (error) {
      last = (error as Error).message;
    }
  }
  throw new Error(`${what}: ${last}`);
}

export class JobTraffic {
  readonly jobIds: string[] = [];
  /** Requests sent again after a failure (same client token). */
  retries = 0;
  readonly errors: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight = new Set<Promise<void>>();

  constructor(
    readonly name: string,
    private readonly target: JobTarget,
  ) {}

  async upload(clipPath: string, key: string): Promise<void> {
    const clip = await readFile(clipPath);
    await withRetries(
      `upload ${key}`,
      5,
      () => call(this.target, "PUT", `/api/v1/objects/${key}`, clip),
      () => {
        this.retries++;
      },
    );
  }

  /** One job every `everyMs` on `input` (an objects:// URI) until stopped. */
  start(input: string, everyMs: number): void {
    let n = 0;
    const submit = () => {
      const token = `${this.name}-${Date.now()}-${n++}`;
      const done = this.submit(input, token)
        .catch((error: Error) => {
          this.errors.push(error.message);
        })
        .finally(() => this.inFlight.delete(done));
      this.inFlight.add(done);
    };
    submit();
    this.timer = setInterval(submit, everyMs);
  }

  private async submit(input: string, token: string): Promise<void> {
    const body = {
      input,
      output: `objects://out/${token}/`,
      profile: {
        ffmpeg: { codec: "h264", scale: "240p", bitrate: 1, profile: "latency", speed: "ultrafast" },
      },
      clientRequestToken: token,
    };
    const answer = await withRetries(
      `submit ${token}`,
      10,
      () => call(this.target, "POST", "/api/v1/jobs", body),
      () => {
        this.retries++;
      },
    );
    for (const job of answer.body as { jobid: string }[])
      if (!this.jobIds.includes(job.jobid)) this.jobIds.push(job.jobid);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.inFlight);
  }

  /** The jobs' states now. */
  async states(): Promise<Record<string, string>> {
    const states: Record<string, string> = {};
    for (const id of this.jobIds) {
      try {
        const answer = await withRetries(
          `job ${id}`,
          3,
          () => call(this.target, "GET", `/api/v1/jobs/${id}`),
          () => {},
        );
        states[id] = (answer.body as { job?: { status?: string } }).job?.status ?? "unknown";
      } catch (error) {
        this.errors.push((error as Error).message);
        states[id] = "unknown";
      }
    }
    return states;
  }

  /** Every event of every job the service lists (not only ours), by seq. */
  async fullEventLog(): Promise<LoggedEvent[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const query = `limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const answer = await withRetries(
        "list jobs",
        5,
        () => call(this.target, "GET", `/api/v1/jobs?${query}`),
        () => {},
      );
      const body = answer.body as { jobs?: { jobid: string }[]; nextCursor?: string };
      ids.push(...(body.jobs ?? []).map((j) => j.jobid));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    const events: LoggedEvent[] = [];
    for (const id of ids) {
      const answer = await withRetries(
        `job ${id}`,
        5,
        () => call(this.target, "GET", `/api/v1/jobs/${id}`),
        () => {},
      );
      events.push(...((answer.body as { events: LoggedEvent[] }).events ?? []));
    }
    return events.sort((a, b) => a.seq - b.seq);
  }
}
