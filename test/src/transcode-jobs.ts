import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { type Answer, call } from "./job-traffic.js";
import type { LocalRegionProcess } from "./region-process.js";

// Transcoding jobs through the load balancer, the way a client of the API sends them: a small clip
// generated with ffmpeg (nothing downloaded), uploaded once, jobs submitted with a client token (a
// retry after a failed answer gets the same job back), each job's event log read at the end. Pure
// tally of the logs apart: a job completes exactly once when its log has one JobFinished.

const run = promisify(execFile);

/** A 2 s 320×240 clip with a tone (ffmpeg's test sources): a job on it takes well under a second. */
export async function makeClip(dir: string): Promise<string> {
  const path = join(dir, "chaos-clip.mp4");
  await run("ffmpeg", [
    ...["-hide_banner", "-loglevel", "error", "-y"],
    ...["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2"],
    ...["-f", "lavfi", "-i", "sine=frequency=440:duration=2"],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", path],
  ]);
  return path;
}

export interface JobEventLine {
  seq: number;
  action: string;
  worker: { taskId?: string } | null;
}

export interface JobRecord {
  env: string;
  token: string;
  jobid?: string;
  /** Submissions that got no job back (the load balancer's 502/503 while a task died): retried. */
  failedSubmits: number;
  submitError?: string;
  status?: string;
  events: JobEventLine[];
}

export class JobClient {
  constructor(
    private readonly port: number,
    readonly env: string,
    private readonly host: string,
    private readonly key: string,
  ) {}

  private call(method: "GET" | "POST" | "PUT", path: string, body?: Buffer | object): Promise<Answer> {
    return call({ port: this.port, host: this.host, apiKey: this.key }, method, path, body);
  }

  async upload(name: string, file: string): Promise<void> {
    const answer = await this.call("PUT", `/api/v1/objects/chaos/${name}`, await readFile(file));
    if (answer.status >= 300) throw new Error(`uploading ${name} to ${this.env}: HTTP ${answer.status}`);
  }

  /** Submits until a job comes back (same token each time), at most `attempts` tries. */
  async submit(record: JobRecord, input: string, attempts = 10): Promise<void> {
    const body = {
      input: `objects://chaos/${input}`,
      output: "objects://chaos-out/",
      clientRequestToken: record.token,
      profile: {
        ffmpeg: { codec: "h264", scale: "240p", bitrate: 1, profile: "quality", speed: "ultrafast" },
      },
    };
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const answer = await this.call("POST", "/api/v1/jobs", body).catch((e: Error) => ({
        status: 0,
        body: e.message,
      }));
      if (answer.status === 200 || answer.status === 201) {
        record.jobid = (answer.body as { jobid: string }[])[0]?.jobid;
        return;
      }
      record.failedSubmits++;
      if (answer.status > 0 && answer.status < 500) {
        record.submitError = `HTTP ${answer.status}: ${JSON.stringify(answer.body)}`;
        return;
      }
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
    record.submitError = `no job after ${attempts} submissions`;
  }

  /** The job's state and event log (undefined when the API did not answer). */
  async read(jobid: string): Promise<{ status: string; events: JobEventLine[] } | undefined> {
    const answer = await this.call("GET", `/api/v1/jobs/${jobid}`).catch(() => undefined);
    if (answer?.status !== 200) return undefined;
    const body = answer.body as { job: { status: string }; events: JobEventLine[] };
    return { status: body.job.status, events: body.events };
  }
}

/** A job client per environment (its API key, its Host), each with the clip uploaded as `clip.mp4`. */
export async function jobClientsWithClip(
  region: LocalRegionProcess,
): Promise<Record<"qa" | "prod", JobClient>> {
  const keys = region.apiKeys();
  const clients = {
    qa: new JobClient(region.ports.http, "qa", "qa.localhost", keys.qa),
    prod: new JobClient(region.ports.http, "prod", "localhost", keys.prod),
  };
  const clip = await makeClip(region.dir);
  await clients.qa.upload("clip.mp4", clip);
  await clients.prod.upload("clip.mp4", clip);
  return clients;
}

export interface JobTally {
  submitted: number;
  /** Accepted: the API gave a job id. */
  accepted: number;
  /** COMPLETE with exactly one JobFinished in its log. */
  completed: number;
  /** More than one JobFinished. */
  duplicated: number;
  /** Accepted and never finished (no JobFinished, not COMPLETE), or never accepted. */
  lost: number;
  failed: number;
  /** Started more than once: a worker died or gave it back, and another one took it over. */
  pickedUpAgain: number;
  failedSubmits: number;
}

const count = (events: JobEventLine[], action: string) => events.filter((e) => e.action === action).length;

/** Pure: what the jobs' event logs say about exactly-once. */
export function tallyJobs(records: readonly JobRecord[]): JobTally {
  const accepted = records.filter((r) => r.jobid);
  const finished = (r: JobRecord) => count(r.events, "JobFinished");
  return {
    submitted: records.length,
    accepted: accepted.length,
    completed: accepted.filter((r) => r.status === "COMPLETE" && finished(r) === 1).length,
    duplicated: accepted.filter((r) => finished(r) > 1).length,
    lost:
      records.length -
      accepted.length +
      accepted.filter((r) => finished(r) === 0 && r.status !== "COMPLETE" && r.status !== "ERROR").length,
    failed: accepted.filter((r) => r.status === "ERROR").length,
    pickedUpAgain: accepted.filter((r) => count(r.events, "JobStart") > 1).length,
    failedSubmits: records.reduce((n, r) => n + r.failedSubmits, 0),
  };
}

/**
 * Pure: jobs a killed task had started (a JobStart by its worker) and did not finish itself, and of
 * them those another task finished: the lease handed the job on.
 */
export function jobsHitByKills(
  records: readonly JobRecord[],
  killedTaskIds: readonly string[],
): { onKilledTask: number; finishedElsewhere: number } {
  const killed = new Set(killedTaskIds);
  const by = (e: JobEventLine) => e.worker?.taskId ?? "";
  const hit = records.filter(
    (r) =>
      r.events.some((e) => e.action === "JobStart" && killed.has(by(e))) &&
      !r.events.some((e) => e.action === "JobFinished" && killed.has(by(e))),
  );
  return {
    onKilledTask: hit.length,
    finishedElsewhere: hit.filter((r) =>
      r.events.some((e) => e.action === "JobFinished" && !killed.has(by(e))),
    ).length,
  };
}

/** Reads every accepted job until all are final or `deadline` (epoch ms) passes; fills status and events. */
export async function settleJobs(
  clients: Record<string, JobClient>,
  records: JobRecord[],
  deadline: number,
): Promise<void> {
  const final = new Set(["COMPLETE", "ERROR", "CANCELED"]);
  while (Date.now() < deadline) {
    const open = records.filter((r) => r.jobid && !final.has(r.status ?? ""));
    for (const r of open) {
      const read = await clients[r.env]?.read(r.jobid as string);
      if (read) Object.assign(r, read);
    }
    if (open.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  // The final logs, read once more: a JobFinished written twice would show only now.
  for (const r of records.filter((x) => x.jobid)) {
    const read = await clients[r.env]?.read(r.jobid as string);
    if (read) Object.assign(r, read);
  }
}
