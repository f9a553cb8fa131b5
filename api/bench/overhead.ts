// The API's overhead against running the same ffmpeg command by hand, side by side in one run.
//
//   npx tsx api/bench/overhead.ts [rounds=5]
//
// Each round runs the identical argv twice, alternating which goes first: once spawned directly,
// once as a job through the service (HTTP submit → claim → fetch input → ffprobe → ffmpeg →
// store output → COMPLETE event on the WebSocket). Bounded: at most 20 rounds and 5 minutes.
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { transcodeArgs } from "../src/model/ffmpeg-args.js";
import type { FfmpegProfile } from "../src/model/profile.js";
import { api, makeClip, startTestService } from "../test/helpers/service.js";

const ROUNDS = Math.min(20, Math.max(1, Number(process.argv[2] ?? 5)));
const BUDGET_MS = 5 * 60_000;
const PROFILE: FfmpegProfile = {
  codec: "h264",
  scale: "360p",
  bitrate: 2,
  profile: "quality",
  speed: "veryfast",
  platform: "cpu",
};

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

async function main(): Promise<void> {
  const svc = await startTestService({
    WORKER_CONCURRENCY: "1",
    POLL_MS: "1000",
    HEARTBEAT_SECONDS: "5",
    LEASE_SECONDS: "30",
  });
  try {
    const { key } = await svc.addKey("bench");
    const client = api(svc.url, key);
    const clip = makeClip(join(svc.dir, "clip.mp4"), 4);
    await client.put("/api/v1/objects/bench/clip.mp4", readFileSync(clip));
    const handDir = join(svc.dir, "hand");
    mkdirSync(handDir);
    copyFileSync(clip, join(handDir, "input"));

    const finished = new Map<string, () => void>();
    const socket = new WebSocket(`${svc.url.replace("http", "ws")}/api/v1/ws`, {
      headers: { authorization: `Bearer ${key}` },
    });
    socket.on("message", (data) => {
      const event = JSON.parse(String(data)) as { action?: string; jobID?: string };
      if (event.action === "JobFinished" && event.jobID) finished.get(event.jobID)?.();
    });
    await new Promise((resolve) => socket.once("open", resolve));

    const runThroughApi = async (round: number): Promise<number> => {
      const started = performance.now();
      const response = await client.post("/api/v1/jobs", {
        input: "objects://bench/clip.mp4",
        output: `objects://bench/out-${round}/`,
        profile: { ffmpeg: PROFILE },
      });
      const [job] = (await response.json()) as { jobid: string }[];
      await new Promise<void>((resolve) => finished.set(job!.jobid, resolve));
      const elapsed = performance.now() - started;
      const stored = (await svc.service.store.get(job!.jobid))!;
      queueDelay.push(stored.startedAt! - stored.createdAt);
      processing.push(stored.finishedAt! - stored.startedAt!);
      return elapsed;
    };

    const hand: number[] = [];
    const queueDelay: number[] = [];
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
        `  of which queue delay (submit → claimed): median ${median(queueDelay).toFixed(0)} ms\n` +
        `  worker processing (claimed → COMPLETE):  median ${median(processing).toFixed(0)} ms\n` +
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
