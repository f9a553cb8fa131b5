// Segmented encoding against single pass: wall time of one long clip through the service.
//
//   npx tsx api/bench/segmented.ts [seconds=120] [rounds=2]
//
// The same clip and profile, submitted once per setup to a fresh service (ROLE=all, SQLite). Each
// worker slot has one CPU, as a task of the spec's size has on ECS (WORKER_CPUS = slots, so each
// encode runs one ffmpeg thread: worker/identity.ts encodeThreadsOf): single pass (segmenting off)
// on one worker, then segmented on 1, 2 and 4 workers; last, for reference, single pass on one slot
// that has the whole host (ffmpeg picks its threads). Submit → COMPLETE, polled every 100 ms; each
// output's frame count is checked against the first single pass's. Bounded: each job at most 10 min.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config.js";
import { countVideo } from "../test/helpers/segments.js";
import { api, makeClip, startTestService, waitForJob } from "../test/helpers/service.js";
import { BENCH_PROFILE } from "./profile.js";

const SECONDS = Math.min(600, Math.max(20, Number(process.argv[2] ?? 120)));
const ROUNDS = Math.min(5, Math.max(1, Number(process.argv[3] ?? 2)));
/** The service's own segment length (config.ts SEGMENT_SECONDS's default), not one chosen for the bench. */
const SEGMENT_SECONDS = loadConfig({ DATABASE_URL: "sqlite::memory:" }).segments.segmentSeconds;
const PROFILE = BENCH_PROFILE;

interface Setup {
  name: string;
  slots: number;
  segmented: boolean;
  /** One CPU per slot (WORKER_CPUS); false: the slot has the whole host. */
  cpuPerSlot: boolean;
}

const SETUPS: Setup[] = [
  { name: "single pass, 1 worker of 1 CPU", slots: 1, segmented: false, cpuPerSlot: true },
  { name: "segmented, 1 worker of 1 CPU", slots: 1, segmented: true, cpuPerSlot: true },
  { name: "segmented, 2 workers of 1 CPU", slots: 2, segmented: true, cpuPerSlot: true },
  { name: "segmented, 4 workers of 1 CPU", slots: 4, segmented: true, cpuPerSlot: true },
  { name: "single pass, 1 worker with the whole host", slots: 1, segmented: false, cpuPerSlot: false },
];

async function timeOne(setup: Setup, clip: Buffer): Promise<{ ms: number; frames: number }> {
  const svc = await startTestService({
    WORKER_CONCURRENCY: String(setup.slots),
    ...(setup.cpuPerSlot ? { WORKER_CPUS: String(setup.slots) } : {}),
    SEGMENT_THRESHOLD_SECONDS: setup.segmented ? "10" : "86400",
    POLL_MS: "200",
    HEARTBEAT_SECONDS: "1",
    LEASE_SECONDS: "30",
  });
  try {
    const { key } = await svc.addKey("bench");
    const client = api(svc.url, key);
    await client.put("/api/v1/objects/bench/clip.mp4", clip);
    const started = performance.now();
    const response = await client.post("/api/v1/jobs", {
      input: "objects://bench/clip.mp4",
      output: "objects://bench/out/",
      profile: { ffmpeg: PROFILE },
    });
    const [job] = (await response.json()) as { jobid: string }[];
    const done = await waitForJob(svc.url, key, job!.jobid, 10 * 60_000);
    const ms = performance.now() - started;
    if (done.status !== "COMPLETE") throw new Error(`${setup.name}: the job ended ${String(done.status)}`);
    const out = join(svc.dir, "out.mp4");
    writeFileSync(
      out,
      Buffer.from(await (await client.get("/api/v1/objects/bench/out/clip.mp4")).arrayBuffer()),
    );
    return { ms, frames: countVideo(out).frames };
  } finally {
    await svc.stop();
  }
}

async function main(): Promise<void> {
  const clipPath = makeClip(
    join(process.env.TMPDIR ?? "/tmp", `segmented-bench-${process.pid}.mp4`),
    SECONDS,
    "640x360",
    2,
  );
  const clip = readFileSync(clipPath);
  rmSync(clipPath);
  // Every setup once per round, the rounds one after another: a setup's times in different rounds
  // show how much the machine moved, and the speed-up is taken per round, against that round's pass.
  const rounds: { setup: Setup; ms: number; frames: number }[][] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const rows: { setup: Setup; ms: number; frames: number }[] = [];
    for (const setup of SETUPS) {
      const { ms, frames } = await timeOne(setup, clip);
      rows.push({ setup, ms, frames });
      process.stdout.write(`round ${round}, ${setup.name}: ${ms.toFixed(0)} ms, ${frames} frames\n`);
    }
    rounds.push(rows);
  }
  const frames = rounds[0]![0]!.frames;
  const lines = [
    `| setup | ${rounds.map((_, i) => `round ${i + 1}: wall time (speed-up)`).join(" | ")} | frames |`,
    `|---|${rounds.map(() => "---|").join("")}---|`,
    ...SETUPS.map((setup, i) => {
      const cells = rounds.map((rows) => {
        const base = rows[0]!.ms;
        const ms = rows[i]!.ms;
        return `${(ms / 1000).toFixed(1)} s (${(base / ms).toFixed(2)}x)`;
      });
      const counts = new Set(rounds.map((rows) => rows[i]!.frames));
      const same = counts.size === 1 && counts.has(frames);
      return `| ${setup.name} | ${cells.join(" | ")} | ${[...counts].join("/")}${same ? "" : " (differs!)"} |`;
    }),
  ];
  process.stdout.write(
    `\n${SECONDS} s 640x360 clip (keyframe every 2 s), ${PROFILE.codec} ${PROFILE.scale} ${PROFILE.bitrate} Mb/s ${PROFILE.speed}, ` +
      `${SEGMENT_SECONDS} s segments\n${lines.join("\n")}\n` +
      `machine: ${cpus().length} CPUs, ${cpus()[0]?.model ?? "unknown"}, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`benchmark failed: ${(error as Error).message}\n`);
  process.exit(1);
});
