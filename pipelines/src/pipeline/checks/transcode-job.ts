import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CheckEndpoint } from "./endpoint.js";
import { requestWithHost } from "./host-request.js";
import { type JobView, jobOutcome, progressLine } from "./job-progress.js";
import { makeClip, probeMedia } from "./media-tools.js";
import { type TranscodeExpectation, transcodeProblems } from "./transcode-verdict.js";

// The API's functional check: a small clip uploaded, transcoded by the environment's workers and
// downloaded again, all through the load balancer with the environment's host name.

/** Fast on any worker: 2 s, 360p, ultrafast. */
export const VERIFY_PROFILE = {
  codec: "h264",
  scale: "360p",
  bitrate: 1,
  profile: "latency",
  speed: "ultrafast",
} as const;
const CLIP_SECONDS = 2;

export interface TranscodeCheck {
  endpoint: CheckEndpoint;
  /** Bearer key (the environment's admin key); sent, never shown. */
  apiKey: string;
  /** Names this run's objects, with a random part: runs never share keys. */
  commit: string;
  timeoutMs: number;
  log: (line: string) => void;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  pollMs?: number;
}

export interface TranscodeMeasure {
  jobId: string;
  seconds: number;
  height: number;
  codec: string;
  durationSeconds: number;
}

export async function checkTranscodeJob(check: TranscodeCheck): Promise<TranscodeMeasure> {
  const dir = await mkdtemp(join(tmpdir(), "pipeline-verify-"));
  try {
    const clip = join(dir, "clip.mp4");
    await makeClip(clip, CLIP_SECONDS);
    const input = await probeMedia(clip);
    const prefix = `pipeline-verify/${objectSegment(check.commit)}-${randomBytes(4).toString("hex")}`;
    const api = apiCalls(check);
    await api.expect(201, "PUT", `/api/v1/objects/${prefix}/clip.mp4`, await readFile(clip), "video/mp4");
    check.log(`uploaded ${prefix}/clip.mp4 (${CLIP_SECONDS} s); submitting h264 360p ultrafast`);
    const started = check.now();
    const submitted = await api.expect(201, "POST", "/api/v1/jobs", {
      input: `objects://${prefix}/clip.mp4`,
      output: `objects://${prefix}/out/`,
      profile: { ffmpeg: VERIFY_PROFILE },
    });
    const jobId = (JSON.parse(submitted.toString("utf8")) as Array<{ jobid?: string }>)[0]?.jobid;
    if (!jobId) throw new Error("POST /api/v1/jobs answered without a jobid");
    const output = await waitForJob(check, api, jobId, started);
    const seconds = (check.now() - started) / 1000;
    const outputKey = output.replace(/^objects:\/\//, "");
    await writeFile(join(dir, "out.mp4"), await api.expect(200, "GET", `/api/v1/objects/${outputKey}`));
    const media = await probeMedia(join(dir, "out.mp4"));
    const expected: TranscodeExpectation = {
      codec: VERIFY_PROFILE.codec,
      height: 360,
      durationSeconds: input.durationSeconds,
      toleranceSeconds: 0.5,
    };
    const problems = transcodeProblems(media, expected);
    if (problems.length > 0) throw new Error(`job ${jobId}'s output ${outputKey}: ${problems.join("; ")}`);
    return {
      jobId,
      seconds,
      height: media.video!.height,
      codec: media.video!.codec,
      durationSeconds: media.durationSeconds,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A line for the stage's note. */
export function describeTranscode(m: TranscodeMeasure): string {
  return `job ${m.jobId} COMPLETE in ${m.seconds.toFixed(1)} s, ${m.height}p ${m.codec} ${m.durationSeconds.toFixed(1)} s`;
}

async function waitForJob(
  check: TranscodeCheck,
  api: ReturnType<typeof apiCalls>,
  jobId: string,
  started: number,
): Promise<string> {
  let shown = "";
  for (;;) {
    const answer = await api.expect(200, "GET", `/api/v1/jobs/${jobId}`);
    const job = (JSON.parse(answer.toString("utf8")) as { job: JobView }).job;
    const line = progressLine(job);
    if (line !== shown) check.log(line);
    shown = line;
    const outcome = jobOutcome(job);
    if (outcome.state === "complete") return outcome.output;
    if (outcome.state === "failed") throw new Error(outcome.reason);
    if (check.now() - started > check.timeoutMs)
      throw new Error(`job ${jobId} is still ${job.status} after ${check.timeoutMs / 1000} s`);
    await check.sleep(check.pollMs ?? 500);
  }
}

/** API calls that must answer a given status; a failure names the call and the API's message. */
function apiCalls(check: TranscodeCheck) {
  const auth = { authorization: `Bearer ${check.apiKey}` };
  return {
    async expect(
      status: number,
      method: "GET" | "PUT" | "POST",
      path: string,
      body?: Buffer | object,
      contentType = "application/json",
    ): Promise<Buffer> {
      const payload = body === undefined || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      const answer = await requestWithHost(check.endpoint, {
        method,
        path,
        headers: { ...auth, accept: "application/json", ...(payload && { "content-type": contentType }) },
        ...(payload && { body: payload }),
      });
      if (answer.status !== status) {
        const text = answer.body.toString("utf8").slice(0, 300);
        throw new Error(`${method} ${path} answered HTTP ${answer.status}, expected ${status}: ${text}`);
      }
      return answer.body;
    },
  };
}

/** The commit as an object key segment ([A-Za-z0-9_][A-Za-z0-9._=+-]*), at most 20 characters. */
export function objectSegment(commit: string): string {
  const cleaned = commit.replace(/[^A-Za-z0-9._=+-]/g, "-").slice(0, 20);
  return /^[A-Za-z0-9_]/.test(cleaned) ? cleaned : `c${cleaned}`;
}
