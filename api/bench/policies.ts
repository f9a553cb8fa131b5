// Fleet and scheduling policies on the same planned load, side by side in one run.
//
//   npx tsx api/bench/policies.ts <scenario run> [jobs=200] [seed=1]
//
// Each job's service time is the one measured for its clip and preset in the given run of
// `npm run scenario`; the load is planned with the scenario's defaults (Gaussian gaps 6 ± 2 s).
// Fleets: fixed 1 task, fixed 4 tasks, and target tracking on backlog per task (AWS's alarm
// datapoints and cooldowns) at several targets; scheduling: FIFO, priority for the fast preset,
// shortest expected job first. One worker slot per task (the spec's 512 CPU units).

import { calibrate, serviceTime } from "../scenario/calibrate.js";
import { DEFAULT_OPTIONS, planScenario } from "../scenario/plan.js";
import { readRun } from "../scenario/report.js";
import { awsTargetTracking, type FleetPolicy, type Scheduling, simulate } from "../scenario/simulate.js";

const [runDir, jobsArg = "200", seedArg = "1"] = process.argv.slice(2);
if (!runDir) {
  console.error("usage: npx tsx api/bench/policies.ts <scenario run directory> [jobs] [seed]");
  process.exit(1);
}
const calibration = calibrate(readRun(runDir).jobs);
const plan = planScenario({ ...DEFAULT_OPTIONS, jobs: Number(jobsArg), seed: Number(seedArg) });
const cost = (job: (typeof plan)[number]) => serviceTime(calibration, job);
const tracking = (target: number) => awsTargetTracking(target, 1, 4);
const fleets: [string, FleetPolicy][] = [
  ["fixed 1 task", { kind: "fixed", tasks: 1 }],
  ["fixed 4 tasks", { kind: "fixed", tasks: 4 }],
  ...[1, 2, 4, 8].map((t): [string, FleetPolicy] => [
    `target tracking, backlog/task ${t} (1-4)`,
    tracking(t),
  ]),
];
const fmt = (v: number | null) => (v === null ? "–" : v.toFixed(1));
const run = (fleet: FleetPolicy, scheduling: Scheduling) =>
  simulate({
    jobs: plan,
    serviceSeconds: cost,
    expectedSeconds: cost,
    prioritySpeed: "ultrafast",
    scheduling,
    fleet,
    slotsPerTask: 1,
  });

console.log(
  `calibration: ${calibration.samples} measured jobs from ${runDir}; planned ${plan.length} jobs, seed ${seedArg}`,
);
console.log(
  `offered load: ${fmt(plan.reduce((n, j) => n + cost(j), 0) / plan.at(-1)!.atSeconds)} busy slots on average\n`,
);
console.log(
  "| fleet (FIFO) | queue delay mean / p95 (s) | job time mean / p95 (s) | utilization mean / p95 (%) | task-seconds | max tasks |",
);
console.log("|---|---|---|---|---|---|");
for (const [name, fleet] of fleets) {
  const r = run(fleet, "fifo");
  console.log(
    `| ${name} | ${fmt(r.queueSeconds.mean)} / ${fmt(r.queueSeconds.p95)} | ${fmt(r.totalSeconds.mean)} / ${fmt(r.totalSeconds.p95)} | ${fmt(r.utilization.mean)} / ${fmt(r.utilization.p95)} | ${r.taskSeconds} | ${r.maxTasks} |`,
  );
}
const speeds = [...new Set(plan.map((j) => j.speed))];
console.log(
  `\n| scheduling (fixed 2 tasks) | queue delay mean / p95 (s) | ${speeds.map((s) => `${s}: mean / p95 (s)`).join(" | ")} |`,
);
console.log(`|---|---|${speeds.map(() => "---").join("|")}|`);
for (const scheduling of ["fifo", "priority", "sjf"] as const) {
  const r = run({ kind: "fixed", tasks: 2 }, scheduling);
  const bySpeed = speeds.map(
    (s) => `${fmt(r.queueSecondsBySpeed[s]!.mean)} / ${fmt(r.queueSecondsBySpeed[s]!.p95)}`,
  );
  console.log(
    `| ${scheduling} | ${fmt(r.queueSeconds.mean)} / ${fmt(r.queueSeconds.p95)} | ${bySpeed.join(" | ")} |`,
  );
}
