// The reliability scenarios the report shows, in its order. A `suite` is a vitest file of the short
// form (in CI); a `script` is a full-form benchmark run by hand (test/reliability/<script>.ts). Each
// writes test/reliability/results/<scenario>.json (src/reliability-results.ts).

interface ScenarioBase {
  scenario: string;
  title: string;
  about: string;
}
export type Scenario = ScenarioBase & ({ suite: string } | { script: string });

export const SCENARIOS: readonly Scenario[] = [
  {
    scenario: "kill",
    suite: "test/test/reliability-kill.test.ts",
    title: "kill -9 of one api-prod task under load",
    about:
      "`test/test/reliability-kill.test.ts`: the platform from `npm start`, HTTP load through the load balancer on qa (keep-alive) and prod (keep-alive, and a new connection per request); one api-prod task's process, found by the task id in its `ECS_CONTAINER_METADATA_URI_V4` (/proc/<pid>/environ), killed with SIGKILL by PID. Asserted: every failed request was sent before the kill + 3 s; the killed task STOPPED with a stopped reason; api-prod back to its desired count; a new task healthy in the target group within the bound (health check 5 s × 2 healthy + 35 s for the API's start on this machine). Measured: failures against the requests in flight at the kill (the issue's bar).",
  },
  {
    scenario: "region-restart",
    suite: "test/test/reliability-region-restart.test.ts",
    title: "the region killed -9 in the middle of a rolling deploy, then started again",
    about:
      "`test/test/reliability-region-restart.test.ts`: api-qa ROLLING (a spec override), a new task definition revision deployed with UpdateService; once its task runs (not yet healthy) the region's process (`npm start`) is killed with SIGKILL, then `npm start` runs again on the same state folder. Asserted: the service deployment ends SUCCESSFUL or ROLLBACK_*; one PRIMARY deployment at the desired count; no task definition, image, log event up to the kill, metric name or alarm missing afterwards; no task process the dead region left behind still alive after the restart.",
  },
  {
    scenario: "load-steps",
    script: "load-steps",
    title:
      "load steps: the request rate at which p99 passes 100 ms, through the load balancer and straight to a task",
    about:
      "`test/reliability/load-steps.ts` (full form, run by hand): the platform from `npm start`; open-loop steps of a fixed rate (4 s each, doubling: 50, 100, 200, ... req/s) of GET /api/v1/version to api-prod through the load balancer and, alternating at each rate, straight to one api-prod task's host port (DescribeTasks); then the same for job submission (POST /api/v1/jobs, a tiny clip, every job canceled after its step). A path stops stepping up once saturated. Measured: p50/p95/p99 per step, the first rate whose p99 passes 100 ms on each path, the CPU of the load generator, the region (load balancer) and the tasks per step. Asserted: nothing (a benchmark); the run fails only if the platform can't be started or a step can't be sent.",
  },
  {
    scenario: "hostile",
    script: "hostile",
    title: "slow and hostile clients while api-qa deploys",
    about:
      "`test/reliability/hostile.ts` (full form, run by hand): the platform from `npm start`; `ecs deploy` of a new api-qa image while a legitimate load runs on qa and prod (keep-alive and a new connection per request, API and media server), and at once, bounded in count and time: slowloris connections, 64 KiB and 1 MiB headers, 100 MiB bodies, half-closed WebSockets (silent, FIN) on /api/v1/ws and /kurento, a flood of Kurento pipelines, WebRTC endpoints and offers. Asserted (exit code): zero failed legitimate requests; the deploy succeeds; the load balancer and every service up and at its desired count at the end; memory (VmRSS) and open descriptors of the region and the services back within bounds at the end; every hostile client ended clearly (4xx, close frame or closed by the server), none hung at its bound.",
  },
];
