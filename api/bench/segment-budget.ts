// Where a segmented encode's CPU goes, step by step, against the single pass it replaces.
//
//   npx tsx api/bench/segment-budget.ts [seconds=120] [rounds=2]
//
// Each step of the segmented path runs alone, one after another, with the worker's own functions
// and argv (media/segments.ts, model/segments.ts) and one ffmpeg thread, as a worker slot of one CPU
// runs it: the keyframe probe, each piece's encode (its range of the whole input), the audio, the
// join; then the single pass of the same profile. For each, wall time and the CPU seconds the ffmpeg/ffprobe processes
// used (user + system, from this process's reaped-children counters). The bound it prints is
// what two CPUs could do at best: all the segmented CPU-seconds split evenly over two, with no
// idle core and no Node overhead, against the single pass on one. Bounded: each step at most 10 min.
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config.js";
import { runFfmpeg } from "../src/media/ffmpeg.js";
import {
  encodeAudio,
  encodeSegment,
  expectSuccess,
  joinSegments,
  keyframeTimes,
  writeConcatList,
} from "../src/media/segments.js";
import { transcodeArgs } from "../src/model/ffmpeg-args.js";
import { planFromCuts, segmentFileName, segmentRange, splitPoints } from "../src/model/segments.js";
import { makeClip } from "../test/helpers/service.js";
import { BENCH_PROFILE } from "./profile.js";

const SECONDS = Math.min(600, Math.max(20, Number(process.argv[2] ?? 120)));
const ROUNDS = Math.min(5, Math.max(1, Number(process.argv[3] ?? 2)));
const POLICY = loadConfig({ DATABASE_URL: "sqlite::memory:", SEGMENT_THRESHOLD_SECONDS: "10" }).segments;
const PROFILE = BENCH_PROFILE;
/** One ffmpeg thread per encode, as a slot of one CPU has (worker/identity.ts encodeThreadsOf). */
const THREADS = 1;
const STEP_LIMIT_MS = 10 * 60_000;

/** CPU seconds of this process's reaped children (ticks of 1/100 s: Linux's USER_HZ). */
function childrenCpuSeconds(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

interface Step {
  name: string;
  wallS: number;
  cpuS: number;
}

async function measure(name: string, work: () => Promise<unknown>): Promise<Step> {
  const cpu = childrenCpuSeconds();
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work(),
    new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${name}: over ${STEP_LIMIT_MS / 60_000} min`)),
        STEP_LIMIT_MS,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  return { name, wallS: (performance.now() - started) / 1000, cpuS: childrenCpuSeconds() - cpu };
}

/** The segmented path's steps, one by one, in the order a worker runs them. */
async function segmentedSteps(input: string, dir: string): Promise<Step[]> {
  const encoded = join(dir, "encoded");
  mkdirSync(encoded);
  const steps: Step[] = [];
  let cuts: number[] = [];
  steps.push(
    await measure("keyframe probe", async () => {
      cuts = splitPoints((await keyframeTimes(input)).keyframes, SECONDS, POLICY);
    }),
  );
  const plan = planFromCuts(cuts, SECONDS);
  for (const [i, piece] of plan.entries()) {
    const range = segmentRange({ ...piece, index: i, count: plan.length });
    steps.push(
      await measure(`piece ${i + 1} of ${plan.length}`, () =>
        expectSuccess(
          encodeSegment(PROFILE, input, join(encoded, segmentFileName(i)), range, THREADS),
          `piece ${i + 1}`,
          [dir],
        ),
      ),
    );
  }
  const audio = join(dir, "audio.m4a");
  steps.push(
    await measure("audio, whole input", () => expectSuccess(encodeAudio(input, audio), "audio", [dir])),
  );
  const list = await writeConcatList(encoded, plan.length);
  steps.push(
    await measure("join", () =>
      expectSuccess(joinSegments(PROFILE, list, audio, join(dir, "joined.mp4")), "join", [dir]),
    ),
  );
  return steps;
}

const row = (name: string, wallS: number, cpuS: number) =>
  `| ${name} | ${wallS.toFixed(2)} s | ${cpuS.toFixed(2)} s |`;

async function main(): Promise<void> {
  const dir = join(process.env.TMPDIR ?? "/tmp", `segment-budget-${process.pid}`);
  mkdirSync(dir);
  try {
    const input = makeClip(join(dir, "clip.mp4"), SECONDS, "640x360", 2);
    for (let round = 1; round <= ROUNDS; round++) {
      const roundDir = join(dir, `round-${round}`);
      mkdirSync(roundDir);
      const single = await measure("single pass", () =>
        expectSuccess(
          runFfmpeg(transcodeArgs(PROFILE, input, join(roundDir, "single.mp4"), THREADS)),
          "single pass",
          [dir],
        ),
      );
      const steps = await segmentedSteps(input, roundDir);
      const total = steps.reduce((sum, s) => sum + s.cpuS, 0);
      const pieces = steps.filter((s) => s.name.startsWith("piece"));
      const piecesCpu = pieces.reduce((sum, s) => sum + s.cpuS, 0);
      const bestWall = total / 2;
      process.stdout.write(
        [
          `\nround ${round} of ${ROUNDS}: ${SECONDS} s 640x360 clip, ${PROFILE.codec} ${PROFILE.scale} ${PROFILE.bitrate} Mb/s ${PROFILE.speed}, ${POLICY.segmentSeconds} s segments, ${THREADS} thread`,
          "| step | wall | CPU (user + system) |",
          "|---|---|---|",
          row(single.name, single.wallS, single.cpuS),
          ...steps.map((s) => row(s.name, s.wallS, s.cpuS)),
          `| **segmented, all steps** | | **${total.toFixed(2)} s** (${Math.abs((total / single.cpuS - 1) * 100).toFixed(0)} % ${total >= single.cpuS ? "more" : "less"} than single pass; pieces alone ${piecesCpu.toFixed(2)} s) |`,
          `best case on 2 CPUs: ${bestWall.toFixed(2)} s wall, ${(single.wallS / bestWall).toFixed(2)}x the single pass's ${single.wallS.toFixed(2)} s`,
          "",
        ].join("\n"),
      );
      rmSync(roundDir, { recursive: true, force: true });
    }
    process.stdout.write(
      `machine: ${cpus().length} CPUs, ${cpus()[0]?.model ?? "unknown"}, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`benchmark failed: ${(error as Error).message}\n`);
  process.exit(1);
});
