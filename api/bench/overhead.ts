// The API's overhead against running the same ffmpeg command by hand, side by side in one run.
//
//   npx tsx api/bench/overhead.ts [rounds=5]
//
// Each round runs the identical argv twice, alternating which goes first: once spawned directly,
// once as a job through the service (HTTP submit → claim → fetch input → ffprobe → ffmpeg →
// store output → COMPLETE event on the WebSocket). Bounded: at most 20 rounds and 5 minutes.
// Then where the API's time went, phase by phase (medians): the submit request, the wait for a
// worker slot, the worker's own phases from its "job complete" line, and the event's delivery.
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { captureLines } from "@platform/telemetry/testing";
import WebSocket from "ws";
import { createLogger } from "../src/log.js";
import { transcodeArgs } from "../src/model/ffmpeg-args.js";
import { api, makeClip, startTestServiceWith } from "../test/helpers/service.js";
import { BENCH_PROFILE } from "./profile.js";

const ROUNDS = Math.min(20, Math.max(1, Number(process.argv[2] ?? 5)));
const BUDGET_MS = 5 * 60_000;
const PROFILE = BENCH_PROFILE;

function runByHand(input: string, output: string): Promise<number> {
  const started = performance.now();
  const child = spawn("ffmpeg", transcodeArgs(PROFILE, input, output), { stdio: "ignore" });
  return new Promise((resolve, reject) =>
    child.once("exit", (code) =>
      code === 0 ? resolve(performance.now() - started) : reject(new Error(`ffmpeg exited ${code}`)),
    ),
  );
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Per phase, the values of every round, in the order the phases first appeared. */
class Breakdown {
  private readonly phases = new Map<string, number[]>();

  add(phase: string, ms: number): void {
    this.phases.set(phase, [...(this.phases.get(phase) ?? []), ms]);
  }

  lines(): string[] {
    const width = Math.max(...[...this.phases.keys()].map((p) => p.length));
    return [...this.phases].map(
      ([phase, values]) =>
        `  ${phase.padEnd(width)}  median ${median(values).toFixed(0).padStart(5)} ms  (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`,
    );
  }
}

async function main(): Promise<void> {
  // The worker's "job complete" lines carry its phase times.
  const { stream, lines } = captureLines();
  const log = createLogger({ level: "info", environment: "bench", version: "bench", stream });
  const svc = await startTestServiceWith(
    { WORKER_CONCURRENCY: "1", POLL_MS: "1000", HEARTBEAT_SECONDS: "5", LEASE_SECONDS: "30" },
    log,
  );
  try {
    const { key } = await svc.addKey("bench");
    const client = api(svc.url, key);
    const clip = makeClip(join(svc.dir, "clip.mp4"), 4);
    await client.put("/api/v1/objects/bench/clip.mp4", readFileSync(clip));
    const handDir = join(svc.dir, "hand");
    mkdirSync(handDir);
    copyFileSync(clip, join(handDir, "input"));

    const finished = new Map<string, (receivedAt: number) => void>();
    const socket = new WebSocket(`${svc.url.replace("http", "ws")}/api/v1/ws`, {
      headers: { authorization: `Bearer ${key}` },
    });
    socket.on("message", (data) => {
      const event = JSON.parse(String(data)) as { action?: string; jobID?: string };
      if (event.action === "JobFinished" && event.jobID) finished.get(event.jobID)?.(Date.now());
    });
    await new Promise((resolve) => socket.once("open", resolve));

    const breakdown = new Breakdown();
    const runThroughApi = async (round: number): Promise<number> => {
      const startedAt = Date.now();
      const started = performance.now();
      const response = await client.post("/api/v1/jobs", {
        input: "objects://bench/clip.mp4",
        output: `objects://bench/out-${round}/`,
        profile: { ffmpeg: PROFILE },
      });
      const [job] = (await response.json()) as { jobid: string }[];
      const receivedAt = await new Promise<number>((resolve) => finished.set(job!.jobid, resolve));
      const elapsed = performance.now() - started;
      const stored = (await svc.service.store.get(job!.jobid))!;
      const complete = lines.find((l) => l.message === "job complete" && l.jobId === job!.jobid);
      breakdown.add("submit → job stored", stored.createdAt - startedAt);
      breakdown.add("stored → claimed", stored.startedAt! - stored.createdAt);
      for (const [phase, ms] of Object.entries((complete?.phasesMs ?? {}) as Record<string, number>))
        breakdown.add(`worker: ${phase}`, ms);
      breakdown.add("COMPLETE → event received", receivedAt - stored.finishedAt!);
      processing.push(stored.finishedAt! - stored.startedAt!);
      return elapsed;
    };

    const hand: number[] = [];
    const processing: number[] = [];
    const viaApi: number[] = [];
    const deadline = Date.now() + BUDGET_MS;
    for (let round = 0; round < ROUNDS && Date.now() < deadline; round++) {
      const byHand = () => runByHand(join(handDir, "input"), join(handDir, `out-${round}.mp4`));
      if (round % 2 === 0) {
        hand.push(await byHand());
        viaApi.push(await runThroughApi(round));
      } else {
        viaApi.push(await runThroughApi(round));
        hand.push(await byHand());
      }
      process.stdout.write(
        `round ${round + 1}: by hand ${hand.at(-1)!.toFixed(0)} ms, through the API ${viaApi.at(-1)!.toFixed(0)} ms\n`,
      );
    }
    socket.close();
    const h = median(hand);
    const a = median(viaApi);
    process.stdout.write(
      `\n${hand.length} rounds, ${PROFILE.codec} ${PROFILE.scale} ${PROFILE.bitrate} Mb/s ${PROFILE.speed}, 4 s 640x360 clip\n` +
        `median by hand:         ${h.toFixed(0)} ms\n` +
        `median through the API: ${a.toFixed(0)} ms\n` +
        `overhead:               ${(a - h).toFixed(0)} ms, ratio ${(a / h).toFixed(2)}\n` +
        // Each round's pair ran back to back: on a shared machine its ratio drifts less than the medians.
        `ratio per round:        median ${median(viaApi.map((ms, i) => ms / hand[i]!)).toFixed(2)} (${viaApi.map((ms, i) => (ms / hand[i]!).toFixed(2)).join(" ")})\n` +
        `worker processing (claimed → COMPLETE): median ${median(processing).toFixed(0)} ms\n` +
        `through the API, phase by phase (median, min–max; worker phases from its "job complete" line):\n` +
        `${breakdown.lines().join("\n")}\n` +
        `machine: ${cpus().length} CPUs, ${cpus()[0]?.model ?? "unknown"}\n`,
    );
  } finally {
    await svc.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`benchmark failed: ${(error as Error).message}\n`);
  process.exit(1);
});
