import { request } from "undici";

// The transcoding API through the load balancer (Host header picks the environment), for suites that
// submit jobs and read their event logs: the calls a user's client makes, nothing else.

export interface JobEventView {
  seq: number;
  action: string;
  ts: string;
  worker: { taskId?: string; id?: string } | null;
}

export interface JobView {
  job: { jobid: string; status: string };
  events: JobEventView[];
}

export class ApiJobs {
  constructor(
    private readonly port: number,
    private readonly host: string,
    private readonly key: string,
  ) {}

  /** PUT /api/v1/objects/<path>: the bytes as an object jobs can name as `objects://<path>`. */
  async putObject(path: string, body: Buffer): Promise<void> {
    const answer = await this.call("PUT", `/api/v1/objects/${path}`, body, "video/mp4");
    if (answer.status !== 201 && answer.status !== 200)
      throw new Error(`PUT ${path}: ${answer.status} ${answer.text.slice(0, 200)}`);
  }

  /** POST /api/v1/jobs with a client token, so a retry after a lost answer is not a second job. */
  async submit(body: Record<string, unknown>, token: string): Promise<string> {
    const answer = await this.call(
      "POST",
      "/api/v1/jobs",
      Buffer.from(JSON.stringify({ ...body, clientRequestToken: token })),
      "application/json",
    );
    if (answer.status !== 201 && answer.status !== 200)
      throw new Error(`POST /api/v1/jobs: ${answer.status} ${answer.text.slice(0, 200)}`);
    return (JSON.parse(answer.text) as { jobid: string }[])[0]!.jobid;
  }

  /** GET /api/v1/jobs/<id>: the job and its event log. */
  async job(id: string): Promise<JobView> {
    const answer = await this.call("GET", `/api/v1/jobs/${id}`);
    if (answer.status !== 200)
      throw new Error(`GET job ${id}: ${answer.status} ${answer.text.slice(0, 200)}`);
    return JSON.parse(answer.text) as JobView;
  }

  private async call(
    method: "GET" | "PUT" | "POST",
    path: string,
    body?: Buffer,
    type?: string,
  ): Promise<{ status: number; text: string }> {
    const res = await request(`http://127.0.0.1:${this.port}${path}`, {
      method,
      headers: {
        host: this.host,
        authorization: `Bearer ${this.key}`,
        ...(type && { "content-type": type }),
      },
      body,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    return { status: res.statusCode, text: await res.body.text() };
  }
}

/** Per job: how many times it finished, failed, and was handed back; the jobs not finished once. */
export function exactlyOnce(jobs: Map<string, JobView>): {
  finishedOnce: number;
  duplicated: string[];
  unfinished: string[];
  failed: string[];
  requeued: number;
} {
  const count = (v: JobView, action: string) => v.events.filter((e) => e.action === action).length;
  const views = [...jobs.entries()];
  return {
    finishedOnce: views.filter(([, v]) => count(v, "JobFinished") === 1).length,
    duplicated: views.filter(([, v]) => count(v, "JobFinished") > 1).map(([id]) => id),
    unfinished: views.filter(([, v]) => count(v, "JobFinished") === 0).map(([id]) => id),
    failed: views.filter(([, v]) => count(v, "JobFailed") > 0).map(([id]) => id),
    requeued: views.reduce((n, [, v]) => n + count(v, "JobRequeued"), 0),
  };
}
