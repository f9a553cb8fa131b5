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
    scenario: "bad-deploys",
    script: "bad-deploys",
    title: "bad deploys of api-qa in a row, each rolled back by itself",
    about:
      "`test/reliability/bad-deploys.ts`: the platform from `npm start`, steady HTTP load through the load balancer on qa (keep-alive `/api/v1/version`, a new connection per `/healthz`) and prod, plus synthetic checks on qa's test listener; one after the other, `ecs deploy platform api-qa -i api <image>` of an image that exits at start, one whose health check path answers 404, one that answers 500 on every route but `/healthz` (caught by api-qa's deployment alarms while green has only the test listener, behind a PAUSE hook), a tag never pushed to ECR, an image outside ECR that does not exist, and one that allocates past its 1024 MiB hard limit. Asserted: each `ecs deploy` exits non-zero with its verdict, each service deployment ends ROLLBACK_*, api-qa back on its old revision, the stopped reason (or alarm) names the cause; zero failed qa and prod requests, qa always the old commit; api-prod on the same revision with the same task ARNs; the alarm's e-mail in the outbox.",
  },
  {
    scenario: "chaos",
    script: "chaos",
    title: "chaos: a random task killed -9 every 15 s for two minutes, under load and jobs",
    about:
      "`test/reliability/chaos.ts` (full form, by hand): the platform from `npm start` with qa at 2 tasks per service (spec-copy override), HTTP load through the load balancer on qa and prod (API keep-alive and new connections, media server), a transcoding job (2 s clip) submitted every 2 s alternately to qa and prod; every 15 s for 120 s one task's processes killed with SIGKILL by PID, the services in a seeded random order each round of four (api-qa, api-prod, media-server-qa, media-server-prod), the task among the service's running ones. Pass: per kill, the failed requests of the killed service ≤ its requests in flight at the kill, and no failure without a kill to explain it; every service back to its desired count with healthy targets within 45 s (health check 5 s × 2 + 35 s start); every job COMPLETE with exactly one JobFinished in its event log.",
  },
  {
    scenario: "bg-bake-restart",
    script: "bg-bake-restart",
    title: "the region killed -9 in the bake of a blue/green deploy, then started again",
    about:
      "`test/reliability/bg-bake-restart.ts` (full form, by hand): api-prod BLUE_GREEN with a 1 min bake (spec-copy override), a new task definition revision deployed with UpdateService under HTTP load (qa, prod keep-alive and new connections) and with jobs submitted; in the service deployment's BAKE_TIME stage the region's process (`npm start`) is killed with SIGKILL, then `npm start` again on the same state folder. Pass: the deploy ends SUCCESSFUL or ROLLBACK_*, one PRIMARY deployment running the outcome's revision, the production rules 100 % on one target group whose targets are all healthy; no task definition, image, log event up to the kill, metric or alarm lost; every job submitted before the kill completed exactly once; failed requests only between the kill and every service whole again.",
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
  {
    scenario: "mixed-load",
    script: "mixed-load",
    title: "deploys under mixed load: 3 × api-qa, 2 × api-prod, 2 × media-server-qa",
    about:
      "`test/reliability/mixed-load.ts` (full form, 8–10 min here): the platform from `npm start`; three deploys of api-qa (ROLLING, a spec override), two of api-prod (CANARY as the spec sets it, bakes shortened) and two of media-server-qa (BLUE_GREEN), each a new image with the real `ecs deploy`, the three services side by side; meanwhile open-loop HTTP through the load balancer (210 requests/s: qa and prod, keep-alive and a new connection per request), three resuming WebSocket event clients per environment on /api/v1/ws, a WebRTC session through videoflip on media-server-qa in headless Chromium (the demo page), and transcoding jobs on qa and prod. Passes when no request failed, every socket the service closed got 1001 and resumed with ?lastMod= with no event missed or repeated (against the event log read at the end), the media session never went 30 s without a decoded frame, and every job completed exactly once.",
  },
];
