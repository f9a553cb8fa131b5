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
    scenario: "mixed-load",
    script: "mixed-load",
    title: "deploys under mixed load: 3 × api-qa, 2 × api-prod, 2 × media-server-qa",
    about:
      "`test/reliability/mixed-load.ts` (full form, 8–10 min here): the platform from `npm start`; three deploys of api-qa (ROLLING, a spec override), two of api-prod (CANARY as the spec sets it, bakes shortened) and two of media-server-qa (BLUE_GREEN), each a new image with the real `ecs deploy`, the three services side by side; meanwhile open-loop HTTP through the load balancer (210 requests/s: qa and prod, keep-alive and a new connection per request), three resuming WebSocket event clients per environment on /api/v1/ws, a WebRTC session through videoflip on media-server-qa in headless Chromium (the demo page), and transcoding jobs on qa and prod. Passes when no request failed, every socket the service closed got 1001 and resumed with ?lastMod= with no event missed or repeated (against the event log read at the end), the media session never went 30 s without a decoded frame, and every job completed exactly once.",
  },
];
