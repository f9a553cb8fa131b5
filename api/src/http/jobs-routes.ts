import { createHash, randomUUID } from "node:crypto";
import { type Request, Router } from "express";
import { canCancel, type Job, type JobEvent, publicJob } from "../model/job.js";
import { DEFAULT_METRICS, metricsFromFlags, qualityPlan } from "../model/quality-metrics.js";
import { outputFor, UriError } from "../model/uris.js";
import { InputMissing } from "../storage/files.js";
import { FetchFailed, FetchRefused } from "../storage/guarded-fetch.js";
import { CursorError } from "../store/job-queries.js";
import { IdempotencyMismatch, type NewJob } from "../store/store.js";
import { actingUser, callerOf, canSee } from "./auth.js";
import type { AppContext, Caller } from "./context.js";
import { badRequest, HttpError, notFound } from "./errors.js";
import { JOB_ID, JobBody, JobQuery, ListQuery, parse, QualityBody, USERID } from "./validation.js";

// Jobs: submit (single, batch, quality), read the event log, list, cancel.

function uriError(error: unknown, where: string): never {
  if (error instanceof UriError) throw badRequest(where ? `${where}: ${error.message}` : error.message);
  throw error;
}

async function checkInput(ctx: AppContext, uri: string, userid: string, what: string): Promise<void> {
  try {
    await ctx.files.checkInput(uri, userid, what);
  } catch (error) {
    if (error instanceof UriError || error instanceof InputMissing) throw badRequest(error.message);
    if (error instanceof FetchRefused) throw badRequest(`${what}: ${error.message}`);
    if (error instanceof FetchFailed) throw badRequest(`${what} could not be fetched: ${error.message}`);
    throw error;
  }
}

function fingerprint(body: object): string {
  const { clientRequestToken: _, ...rest } = body as Record<string, unknown>;
  return createHash("sha256").update(JSON.stringify(rest)).digest("hex");
}

function checkPlatform(ctx: AppContext, body: JobBody): void {
  const { platform, codec } = body.profile.ffmpeg;
  if (platform === "gpu")
    throw badRequest(
      `profile.ffmpeg.platform: 'gpu' is not available on this host (encoders: ${ctx.capabilities.encoders.join(", ")})`,
    );
  const encoder = codec === "h264" ? "libx264" : "libx265";
  if (!ctx.capabilities.encoders.includes(encoder))
    throw badRequest(`profile.ffmpeg.codec: '${codec}' is not available on this host`);
}

async function submit(
  ctx: AppContext,
  userid: string,
  jobs: NewJob[],
  token: string | undefined,
  body: object,
) {
  try {
    const outcome = await ctx.store.submit(
      { userid, jobs, clientRequestToken: token ?? null, fingerprint: fingerprint(body) },
      ctx.now(),
    );
    if (outcome.created) ctx.worker?.poke();
    return outcome;
  } catch (error) {
    if (error instanceof IdempotencyMismatch) throw new HttpError(409, error.message);
    throw error;
  }
}

/** The earlier service's response entry. */
function submitted(job: Job) {
  const spec = job.spec;
  return {
    userid: job.userid,
    jobid: job.id,
    input: spec.input,
    ...(spec.kind === "transcode" ? { output: spec.output } : { reference: spec.reference }),
    status: { event: "JobSummit", status: "success" },
  };
}

async function submitTranscodes(ctx: AppContext, caller: Caller, raw: unknown) {
  const body = parse(JobBody, raw);
  const userid = actingUser(caller, body.userid);
  checkPlatform(ctx, body);
  try {
    ctx.files.outputPrefix(body.output);
  } catch (error) {
    uriError(error, "");
  }
  const inputs = body.input !== undefined ? [body.input] : body.batchInputs!;
  const label = (i: number) => (body.input !== undefined ? "input" : `batchInputs[${i}]`);
  inputs.forEach((uri, i) => {
    try {
      ctx.files.input(uri, label(i));
    } catch (error) {
      uriError(error, "");
    }
  });
  const outputs = inputs.map((uri) => outputFor(uri, body.output));
  const duplicate = outputs.find((o, i) => outputs.indexOf(o) !== i);
  if (duplicate)
    throw badRequest(`batchInputs: two inputs would both write ${duplicate}; give them different file names`);
  outputs.forEach((uri) => {
    try {
      ctx.files.outputFile(uri);
    } catch (error) {
      uriError(error, "output");
    }
  });
  await Promise.all(inputs.map((uri, i) => checkInput(ctx, uri, userid, label(i))));
  const batchId = body.batchInputs ? randomUUID() : null;
  const jobs: NewJob[] = inputs.map((input, i) => ({
    id: randomUUID(),
    userid,
    kind: "transcode",
    spec: { kind: "transcode", input, output: outputs[i]!, profile: { ffmpeg: body.profile.ffmpeg } },
    priority: body.priority,
    maxAttempts: ctx.maxAttempts,
    batchId,
  }));
  return submit(ctx, userid, jobs, body.clientRequestToken, body);
}

async function submitQuality(ctx: AppContext, caller: Caller, raw: unknown) {
  const body = parse(QualityBody, raw);
  const userid = actingUser(caller, body.userid);
  const reference = (body.reference ?? body.origin)!;
  await checkInput(ctx, body.input, userid, "input");
  await checkInput(ctx, reference, userid, body.origin !== undefined ? "origin" : "reference");
  // The earlier /vmaf (origin, profile.vmaf flags) asks for VMAF plus what it enables.
  const wanted =
    body.origin !== undefined || body.profile ? metricsFromFlags(body.profile?.vmaf ?? {}) : DEFAULT_METRICS;
  const job: NewJob = {
    id: randomUUID(),
    userid,
    kind: "quality",
    spec: {
      kind: "quality",
      input: body.input,
      reference,
      plan: qualityPlan(wanted, ctx.capabilities.qualityFilters),
    },
    priority: body.priority,
    maxAttempts: ctx.maxAttempts,
    batchId: null,
  };
  return submit(ctx, userid, [job], body.clientRequestToken, body);
}

async function visibleJob(ctx: AppContext, req: Request): Promise<Job> {
  const id = String(req.params.jobID);
  const job = JOB_ID.test(id) ? await ctx.store.get(id) : undefined;
  if (!job || !canSee(callerOf(req), job.userid)) throw notFound(`no job ${id}`);
  return job;
}

function eventView(event: JobEvent) {
  return {
    seq: event.seq,
    ts: new Date(event.ts).toISOString(),
    userID: event.userID,
    jobID: event.jobID,
    action: event.action,
    job: event.job,
    worker: event.worker,
  };
}

async function listJobs(ctx: AppContext, query: ReturnType<typeof ListQuery.parse>) {
  try {
    const page = await ctx.store.list(query);
    return { jobs: page.jobs.map(publicJob), nextCursor: page.nextCursor };
  } catch (error) {
    if (error instanceof CursorError) throw badRequest(`cursor: ${error.message}`);
    throw error;
  }
}

export function jobRoutes(ctx: AppContext): Router {
  const router = Router();

  router.post("/jobs", async (req, res) => {
    const outcome = await submitTranscodes(ctx, callerOf(req), req.body);
    res.status(outcome.created ? 201 : 200).json(outcome.jobs.map(submitted));
  });

  for (const path of ["/quality", "/vmaf"]) {
    router.post(path, async (req, res) => {
      const outcome = await submitQuality(ctx, callerOf(req), req.body);
      res.status(outcome.created ? 201 : 200).json(outcome.jobs.map(submitted));
    });
  }

  router.get("/jobs", async (req, res) => {
    const caller = callerOf(req);
    const query = parse(ListQuery, req.query, "query");
    const userid = caller.admin ? query.userid : actingUser(caller, query.userid);
    res.json(await listJobs(ctx, { ...query, userid }));
  });

  router.get("/jobs/:jobID", async (req, res) => {
    const { format } = parse(JobQuery, req.query, "query");
    const job = await visibleJob(ctx, req);
    const events = (await ctx.store.events(job.id)).map(eventView);
    // The earlier service answered with the event array alone; each event carries the job as it was.
    if (format === "events") res.json(events);
    else res.json({ jobid: job.id, job: publicJob(job), events });
  });

  router.get("/quality/:jobID/frames", async (req, res) => {
    const job = await visibleJob(ctx, req);
    const frames = job.kind === "quality" ? await ctx.store.frames(job.id) : undefined;
    if (!frames) throw notFound(`job ${job.id} has no quality frames (yet)`);
    res.json({ jobid: job.id, frames });
  });

  router.post("/jobs/:jobID/cancel", async (req, res) => {
    const job = await visibleJob(ctx, req);
    if (!canCancel(job)) throw new HttpError(409, `job ${job.id} is already ${job.status}`);
    const canceled = await ctx.store.cancel(job.id, ctx.now());
    if (!canceled) throw new HttpError(409, `job ${job.id} finished before it could be canceled`);
    ctx.worker?.abortJob(job.id);
    res.json(publicJob(canceled));
  });

  router.get("/:userID/jobs", async (req, res) => {
    const caller = callerOf(req);
    const userid = parse(USERID, req.params.userID, "user id in the path");
    if (!canSee(caller, userid))
      throw new HttpError(403, `you may list only your own jobs (${caller.userid})`);
    const query = parse(ListQuery.omit({ userid: true }), req.query, "query");
    res.json(await listJobs(ctx, { ...query, userid }));
  });

  return router;
}
