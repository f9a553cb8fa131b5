// Time from UpdateService to rolloutState COMPLETED for a 2-task service on the local region, with
// the spec's API settings (health checks every 5 s, 2/2 thresholds, 15 s deregistration delay,
// 200/100 percent). Run: npx tsx infra/local/bench/deploy.ts [runs]
import { cpus, totalmem } from "node:os";
import { EcsTestRegion } from "../src/testing/index.js";

const runs = Math.max(1, Math.min(Number(process.argv[2] ?? 5), 20));

async function main(): Promise<void> {
  const t = await EcsTestRegion.start({ taskPorts: { from: 44000, to: 44099 } });
  try {
    await t.createEdge();
    const qa = await t.createApp("app-qa", "qa.localhost", 10, 15);
    const images = [await t.pushImage(qa, "bench-a"), await t.pushImage(qa, "bench-b")];
    const service = await t.createService(qa, await t.registerApp(qa, images[0] as string), 2);
    await t.waitForRollout(qa, service.deployments?.[0]?.id as string, 60_000);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const image = images[(i + 1) % 2] as string;
      const started = performance.now();
      const id = await t.deployImage(qa, image);
      const done = await t.waitForRollout(qa, id, 120_000);
      const seconds = (performance.now() - started) / 1000;
      const state = done.deployments?.find((d) => d.id === id)?.rolloutState;
      if (state !== "COMPLETED") throw new Error(`run ${i + 1}: deployment ended ${state}`);
      times.push(seconds);
      const served = (await t.get(qa, "/version")).body;
      console.log(`run ${i + 1}: ${seconds.toFixed(2)} s (now serving ${served})`);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] as number;
    console.log(
      `UpdateService → COMPLETED, 2 tasks, ${runs} runs: median ${median.toFixed(2)} s, min ${sorted[0]?.toFixed(2)} s, max ${sorted.at(-1)?.toFixed(2)} s`,
    );
    console.log(
      `machine: ${cpus()[0]?.model} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
    );
  } finally {
    await t.region.cleanup();
  }
}

main().catch((error: Error) => {
  console.error(`bench failed: ${error.message}`);
  process.exit(1);
});
