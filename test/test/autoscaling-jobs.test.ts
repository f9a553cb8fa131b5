import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  ApplicationAutoScalingClient,
  DescribeScalingActivitiesCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { waitFor } from "@platform/local-region/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiJobs, exactlyOnce, type JobView } from "../src/api-jobs.js";
import { CLUSTER, LocalRegionProcess } from "../src/region-process.js";

// Scale-out under a backlog and scale-in when idle, in the platform `npm start` runs: the spec's
// target tracking on api-qa (BacklogPerTask target 4, 1–4 tasks, and CPU at 60 %), the region's own
// Application Auto Scaling, its alarms and ECS. Only the cadence is shortened (local.autoscaling):
// 10 s alarm periods instead of AWS's minutes, so the API publishes its demand at high resolution.
// A burst of jobs on one task must bring more tasks that take some of them, every job must finish
// exactly once (a task stopped by the scale-in hands its job back), and the service must return to
// its minimum when the queue is empty.

const QA = "qa.localhost";
const SERVICE = "api-qa";
const JOBS = 24;

let region: LocalRegionProcess;
let api: ApiJobs;
let aas: ApplicationAutoScalingClient;

beforeAll(async () => {
  region = await LocalRegionProcess.start("autoscaling-jobs", {
    autoscaling: {
      alarmPeriodSeconds: 10,
      highEvaluationPeriods: 1,
      lowEvaluationPeriods: 3,
      scaleOutCooldownSeconds: 10,
      scaleInCooldownSeconds: 20,
    },
  });
  api = new ApiJobs(region.ports.http, QA, region.apiKeys().qa);
  aas = new ApplicationAutoScalingClient(region.clientConfig());
}, 300_000);

afterAll(async () => {
  aas?.destroy();
  await region?.stop();
});

/** The target tracking alarms of api-qa's policies and their states, for a failure's message. */
const scalingAlarms = async () => {
  const { MetricAlarms = [] } = await region
    .clients()
    .cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: `TargetTracking-service/${CLUSTER}/${SERVICE}` }),
    );
  return MetricAlarms.map((a) => `${a.AlarmName} ${a.StateValue} (${a.StateReason})`).join("; ");
};

const desiredAndRunning = async () => {
  const { services } = await region
    .clients()
    .ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }));
  return { desired: services?.[0]?.desiredCount ?? 0, running: services?.[0]?.runningCount ?? 0 };
};

describe("api-qa scales with its backlog", () => {
  it("scales out under a burst of jobs, back in when idle, and every job finishes exactly once", async () => {
    const clip = join(region.dir, "clip.mp4");
    execFileSync("ffmpeg", [
      ...["-hide_banner", "-loglevel", "error", "-f", "lavfi"],
      ...["-i", "testsrc2=size=640x360:rate=25", "-t", "10", "-c:v", "libx264", "-pix_fmt", "yuv420p", clip],
    ]);
    await api.putObject("scale/clip.mp4", readFileSync(clip));
    expect(await desiredAndRunning()).toEqual({ desired: 1, running: 1 });

    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const body = {
        input: "objects://scale/clip.mp4",
        output: "objects://scale-out/",
        profile: {
          ffmpeg: { codec: "h264", scale: "360p", bitrate: 1, profile: "quality", speed: "medium" },
        },
      };
      ids.push(await api.submit(body, `scale-${i}`));
    }
    const submittedAt = Date.now();

    let maxDesired = 1;
    const views = new Map<string, JobView>();
    await waitFor(
      "every job to end",
      async () => {
        maxDesired = Math.max(maxDesired, (await desiredAndRunning()).desired);
        for (const id of ids) {
          if (["COMPLETE", "ERROR", "CANCELED"].includes(views.get(id)?.job.status ?? "")) continue;
          views.set(id, await api.job(id));
        }
        return [...views.values()].every((v) => ["COMPLETE", "ERROR", "CANCELED"].includes(v.job.status))
          ? true
          : undefined;
      },
      420_000,
      2_000,
    );
    const workedFor = (Date.now() - submittedAt) / 1000;
    const tasks = new Set(
      [...views.values()].flatMap((v) =>
        v.events.filter((e) => e.action === "JobFinished").map((e) => e.worker?.taskId ?? "?"),
      ),
    );

    await waitFor(
      "api-qa back at its minimum of 1 task",
      async () => {
        const counts = await desiredAndRunning();
        return counts.desired === 1 && counts.running === 1 ? counts : undefined;
      },
      240_000,
      2_000,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}; the scaling alarms: ${await scalingAlarms()}`);
    });
    // Read again: a job handed back by a stopped task shows it in its log.
    for (const id of ids) views.set(id, await api.job(id));
    const once = exactlyOnce(views);
    const { ScalingActivities = [] } = await aas.send(
      new DescribeScalingActivitiesCommand({
        ServiceNamespace: "ecs",
        ResourceId: `service/${CLUSTER}/${SERVICE}`,
      }),
    );
    console.log(
      `autoscaling-jobs: ${JOBS} jobs done in ${workedFor.toFixed(1)} s by ${tasks.size} tasks (desired count up to ${maxDesired}); ` +
        `finished once ${once.finishedOnce}, duplicated ${once.duplicated.length}, handed back ${once.requeued}\n` +
        ScalingActivities.map((a) => `  ${a.StartTime?.toISOString()} ${a.StatusCode} ${a.Description}`).join(
          "\n",
        ),
    );

    expect(once.failed, "jobs that failed").toEqual([]);
    expect(once.duplicated, "jobs finished more than once").toEqual([]);
    expect(once.unfinished, "jobs never finished").toEqual([]);
    expect(once.finishedOnce).toBe(JOBS);
    expect(maxDesired, "the desired count while the backlog was high").toBeGreaterThan(1);
    expect(tasks.size, "tasks that finished jobs: the new ones took some").toBeGreaterThan(1);
    const successful = ScalingActivities.filter((a) => a.StatusCode === "Successful");
    expect(successful.some((a) => /desired count to [2-4]\b/.test(a.Description ?? ""))).toBe(true);
    expect(successful.some((a) => /desired count to 1\b/.test(a.Description ?? ""))).toBe(true);
  }, 900_000);
});
