import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { api, ffprobe, makeClip, startTestService, type TestService, waitForJob } from "./helpers/service.js";

// End to end with real ffmpeg: the service in this process (API + worker), jobs submitted over HTTP,
// outputs checked with ffprobe.

let svc: TestService;
let alice: ReturnType<typeof api>;
let aliceKey: string;
let clip: Buffer;

async function submit(body: unknown): Promise<{ jobid: string; output: string }[]> {
  const response = await alice.post("/api/v1/jobs", body);
  const json = await response.json();
  expect(response.status, JSON.stringify(json)).toBe(201);
  return json as { jobid: string; output: string }[];
}

async function download(object: string): Promise<string> {
  const response = await alice.get(`/api/v1/objects/${object.replace("objects://", "")}`);
  expect(response.status).toBe(200);
  const path = join(svc.dir, `dl-${Math.random().toString(36).slice(2)}.mp4`);
  writeFileSync(path, Buffer.from(await response.arrayBuffer()));
  return path;
}

function ffmpegChildren(): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [, comm, rest] = /^\d+ \((.*)\) (.*)$/s.exec(stat) ?? [];
      if (comm === "ffmpeg" && Number(rest?.split(" ")[1]) === process.pid) children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

beforeAll(async () => {
  svc = await startTestService({ WORKER_CONCURRENCY: "2" });
  aliceKey = (await svc.addKey("alice")).key;
  alice = api(svc.url, aliceKey);
  clip = readFileSync(makeClip(join(svc.dir, "source.mp4"), 4));
  expect((await alice.put("/api/v1/objects/in/clip.mp4", clip)).status).toBe(201);
}, 60_000);

afterAll(async () => {
  await svc?.stop();
});

describe("transcoding", () => {
  const matrix = [
    {
      codec: "h264",
      scale: "240p",
      bitrate: 1,
      speed: "ultrafast",
      profile: "quality",
      height: 240,
      name: "h264",
    },
    {
      codec: "h265",
      scale: "360p",
      bitrate: 2,
      speed: "ultrafast",
      profile: "latency",
      height: 360,
      name: "hevc",
    },
    {
      codec: "h264",
      scale: "480p",
      bitrate: 2,
      speed: "fast",
      profile: "quality",
      height: 480,
      name: "h264",
    },
  ] as const;

  it("produces what ffprobe confirms for each codec, scale, bitrate and speed", async () => {
    const jobs = await Promise.all(
      matrix.map(async (m, i) => {
        const [job] = await submit({
          input: "objects://in/clip.mp4",
          output: `objects://matrix/${i}/`,
          priority: 60,
          profile: {
            ffmpeg: {
              codec: m.codec,
              scale: m.scale,
              bitrate: m.bitrate,
              speed: m.speed,
              profile: m.profile,
            },
          },
        });
        return job!;
      }),
    );
    for (const [i, job] of jobs.entries()) {
      expect(job.output).toBe(`objects://matrix/${i}/clip.mp4`);
      const done = await waitForJob(svc.url, aliceKey, job.jobid);
      expect(done.status, JSON.stringify(done)).toBe("COMPLETE");
      const probed = ffprobe(await download(job.output));
      const m = matrix[i]!;
      expect(probed.codec).toBe(m.name);
      expect(probed.height).toBe(m.height);
      expect(Math.abs(probed.bitRate / (m.bitrate * 1e6) - 1)).toBeLessThan(0.15);
      expect(Math.abs(probed.duration - 4)).toBeLessThan(0.2);
    }
  }, 120_000);

  it("runs a batch with one output prefix and returns the same jobs for a retried token", async () => {
    const small = readFileSync(makeClip(join(svc.dir, "small.mp4"), 1, "320x240"));
    await alice.put("/api/v1/objects/batch-in/a.mp4", small);
    await alice.put("/api/v1/objects/batch-in/b.mov", small);
    const body = {
      batchInputs: ["objects://batch-in/a.mp4", "objects://batch-in/b.mov"],
      output: "objects://batch-out/",
      clientRequestToken: "batch-1",
      profile: { ffmpeg: { codec: "h264", scale: "240p", bitrate: 1, speed: "ultrafast" } },
    };
    const jobs = await submit(body);
    expect(jobs.map((j) => j.output)).toEqual(["objects://batch-out/a.mp4", "objects://batch-out/b.mp4"]);
    expect(jobs[0]).toMatchObject({ userid: "alice", status: { event: "JobSummit", status: "success" } });
    const retry = await alice.post("/api/v1/jobs", body);
    expect(retry.status).toBe(200);
    expect(((await retry.json()) as { jobid: string }[]).map((j) => j.jobid)).toEqual(
      jobs.map((j) => j.jobid),
    );
    for (const job of jobs) {
      expect((await waitForJob(svc.url, aliceKey, job.jobid)).status).toBe("COMPLETE");
      expect(ffprobe(await download(job.output)).height).toBe(240);
    }
  }, 60_000);

  it("measures PSNR and SSIM as ffmpeg does by hand, with per-frame stats", async () => {
    const [t] = await submit({
      input: "objects://in/clip.mp4",
      output: "objects://q/",
      profile: { ffmpeg: { codec: "h264", scale: "240p", bitrate: 1, speed: "ultrafast" } },
    });
    expect((await waitForJob(svc.url, aliceKey, t!.jobid)).status).toBe("COMPLETE");
    const response = await alice.post("/api/v1/vmaf", {
      input: "objects://q/clip.mp4",
      reference: "objects://in/clip.mp4",
    });
    expect(response.status).toBe(201);
    const [q] = (await response.json()) as { jobid: string }[];
    const done = await waitForJob(svc.url, aliceKey, q!.jobid);
    expect(done.status, JSON.stringify(done)).toBe("COMPLETE");
    const result = done.result as { psnr: number; ssim: number; frames: number; vmaf: null };

    const distorted = await download("objects://q/clip.mp4");
    const reference = join(svc.dir, "source.mp4");
    const byHand = (filter: string) =>
      spawnSync(
        "ffmpeg",
        [
          "-hide_banner",
          "-i",
          distorted,
          "-i",
          reference,
          "-lavfi",
          `[0:v]scale=640:360:flags=bicubic[d];[d][1:v]${filter}`,
          "-f",
          "null",
          "-",
        ],
        {
          encoding: "utf8",
        },
      ).stderr;
    const handPsnr = Number(/PSNR .* average:(\S+)/.exec(byHand("psnr"))?.[1]);
    const handSsim = Number(/SSIM .* All:(\S+)/.exec(byHand("ssim"))?.[1]);
    expect(result.psnr).toBeCloseTo(handPsnr, 2);
    expect(result.ssim).toBeCloseTo(handSsim, 4);
    expect(result.vmaf).toBeNull();
    expect(result.frames).toBe(100);
    const frames = (await (await alice.get(`/api/v1/quality/${q!.jobid}/frames`)).json()) as {
      frames: { n: number; psnr: number; ssim: number }[];
    };
    expect(frames.frames).toHaveLength(100);
    expect(frames.frames[0]!.psnr).toBeGreaterThan(20);
    expect(frames.frames[0]!.ssim).toBeGreaterThan(0.5);
  }, 60_000);

  it("cancels a running job and kills its ffmpeg", async () => {
    const [job] = await submit({
      input: "objects://in/clip.mp4",
      output: "objects://cancel/",
      priority: 100,
      profile: { ffmpeg: { codec: "h265", scale: "1080p", bitrate: 15, speed: "veryslow" } },
    });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && ffmpegChildren().length === 0)
      await new Promise((r) => setTimeout(r, 50));
    expect(ffmpegChildren().length).toBeGreaterThan(0);
    const response = await alice.post(`/api/v1/jobs/${job!.jobid}/cancel`, {});
    expect(response.status).toBe(200);
    expect(((await response.json()) as { status: string }).status).toBe("CANCELED");
    const gone = Date.now() + 5000;
    while (Date.now() < gone && ffmpegChildren().length > 0) await new Promise((r) => setTimeout(r, 50));
    expect(ffmpegChildren()).toEqual([]);
    const log = (await (await alice.get(`/api/v1/jobs/${job!.jobid}`)).json()) as {
      events: { action: string }[];
      job: { status: string };
    };
    expect(log.job.status).toBe("CANCELED");
    expect(log.events.map((e) => e.action)).toContain("JobCanceled");
    expect(log.events.map((e) => e.action)).not.toContain("JobFinished");
    expect((await alice.get("/api/v1/objects/cancel/clip.mp4")).status).toBe(404);
    expect((await alice.post(`/api/v1/jobs/${job!.jobid}/cancel`, {})).status).toBe(409);
  }, 60_000);
});

describe("event log, stream and reads", () => {
  it("keeps each job's event log with the worker that ran it", async () => {
    const list = (await (await alice.get("/api/v1/alice/jobs?status=COMPLETE&limit=1")).json()) as {
      jobs: { jobid: string }[];
      nextCursor: string;
    };
    expect(list.jobs).toHaveLength(1);
    expect(list.nextCursor).toBeTruthy();
    const log = (await (await alice.get(`/api/v1/jobs/${list.jobs[0]!.jobid}`)).json()) as {
      events: {
        action: string;
        userID: string;
        jobID: string;
        ts: string;
        worker: { taskId: string; host: string } | null;
      }[];
    };
    const actions = log.events.map((e) => e.action);
    expect(actions[0]).toBe("JobSummit");
    expect(actions).toContain("JobStart");
    expect(actions[actions.length - 1]).toBe("JobFinished");
    const finished = log.events[log.events.length - 1]!;
    expect(finished.userID).toBe("alice");
    expect(finished.worker?.host).toBeTruthy();
    expect(finished.worker?.taskId).toBeTruthy();
  });

  it("replays events after lastMod over the WebSocket, then streams live ones, only the caller's", async () => {
    const bob = api(svc.url, (await svc.addKey("bob")).key);
    expect((await bob.put("/api/v1/objects/x.mp4", clip)).status).toBe(201);
    const received: { type: string; seq: number; userID: string; action: string; jobID: string }[] = [];
    const socket = new WebSocket(`${svc.url.replace("http", "ws")}/api/v1/ws?lastMod=0`, {
      headers: { authorization: `Bearer ${aliceKey}` },
    });
    socket.on("message", (data) => received.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    const waitFor = async (predicate: () => boolean) => {
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && !predicate()) await new Promise((r) => setTimeout(r, 50));
      expect(predicate()).toBe(true);
    };
    await waitFor(() => received.some((e) => e.action === "JobFinished"));
    const bobJob = await bob.post("/api/v1/jobs", {
      input: "objects://x.mp4",
      output: "objects://o/",
      profile: { ffmpeg: { codec: "h264", scale: "240p", bitrate: 1, speed: "ultrafast" } },
    });
    expect(bobJob.status).toBe(201);
    const [live] = await submit({
      input: "objects://in/clip.mp4",
      output: "objects://live/",
      profile: { ffmpeg: { codec: "h264", scale: "240p", bitrate: 1, speed: "ultrafast" } },
    });
    await waitFor(() => received.some((e) => e.jobID === live!.jobid && e.action === "JobFinished"));
    socket.close();
    const events = received.filter((e) => e.type === "event");
    expect(events.every((e) => e.userID === "alice")).toBe(true);
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  }, 60_000);

  it("serves byte ranges and signed playback links", async () => {
    const ranged = await alice.get("/api/v1/objects/in/clip.mp4", { range: "bytes=100-199" });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("content-range")).toBe(`bytes 100-199/${clip.length}`);
    expect(Buffer.from(await ranged.arrayBuffer())).toEqual(clip.subarray(100, 200));
    expect(
      (await alice.get("/api/v1/objects/in/clip.mp4", { range: `bytes=${clip.length + 10}-` })).status,
    ).toBe(416);
    const link = (await (await alice.post("/api/v1/links", { object: "objects://in/clip.mp4" })).json()) as {
      url: string;
    };
    const played = await fetch(`${svc.url}${link.url}`, { headers: { range: "bytes=0-9" } });
    expect(played.status).toBe(206);
    expect((await fetch(`${svc.url}${link.url.replace(/sig=.{4}/, "sig=AAAA")}`)).status).toBe(403);
  });

  it("reports queues, workers, stats, metrics, version, schema and health", async () => {
    const queues = (await (await alice.get("/api/v1/worker/queues")).json()) as {
      queues: { name: string; depth: number }[];
    };
    expect(queues.queues.map((q) => q.name)).toEqual(["transcode", "quality"]);
    const workers = (await (await alice.get("/api/v1/workers")).json()) as {
      workers: { state: string; slots: number; host: string }[];
    };
    expect(workers.workers[0]).toMatchObject({ slots: 2 });
    expect(["Idle", "Busy"]).toContain(workers.workers[0]!.state);
    const stats = (await (await alice.get("/api/v1/stats")).json()) as {
      jobsByState: Record<string, number>;
      processingSeconds: { count: number; p95: number };
      queueDelaySeconds: { mean: number };
      workers: { slots: number };
    };
    expect(stats.jobsByState.COMPLETE).toBeGreaterThanOrEqual(5);
    expect(stats.jobsByState.CANCELED).toBe(1);
    expect(stats.processingSeconds.count).toBeGreaterThanOrEqual(5);
    expect(stats.processingSeconds.p95).toBeGreaterThan(0);
    expect(stats.workers.slots).toBe(2);
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toMatch(/transcode_jobs\{state="CANCELED"\} 1/);
    expect(metrics).toMatch(/transcode_queue_depth\{queue="transcode"\} \d/);
    expect(await (await fetch(`${svc.url}/api/v1/version`)).json()).toEqual({
      version: "1.2.3",
      build: "2026-11-22T00:00:00Z",
      commit: "abc1234",
      image: "unknown",
    });
    const schema = (await (await fetch(`${svc.url}/api/v1/schema`)).json()) as {
      ffmpeg: Record<string, unknown>;
      ec2: unknown;
      capabilities: { encoders: string[]; qualityFilters: string[] };
    };
    expect(schema.ffmpeg).toMatchObject({
      codec: ["h264", "h265"],
      bitrate: [1, 15],
      priority: [0, 100],
      profile: ["quality", "latency"],
    });
    expect(schema.ec2).toEqual({ platform: ["cpu", "gpu"] });
    expect(schema.capabilities.encoders).toEqual(["libx264", "libx265"]);
    expect(schema.capabilities.qualityFilters).toEqual(["psnr", "ssim"]);
    expect((await fetch(`${svc.url}/healthz`)).status).toBe(200);
    const page = await (await fetch(`${svc.url}/`)).text();
    expect(page).toContain("<title>Transcoding");
  });
});
