import type { Clients } from "../aws/clients.js";
import type { Clock } from "../aws/clock.js";
import type { EcsGateway } from "../aws/ecs.js";
import type { Redactor } from "../model/secrets.js";
import type { Reporter } from "../output/reporter.js";

/** What every command works with: the AWS clients, the ECS calls, time, and where to report. */
export interface Context {
  clients: Clients;
  ecs: EcsGateway;
  clock: Clock;
  reporter: Reporter;
  redactor: Redactor;
  /** Milliseconds between two looks at a deploying service (jittered ±25 %). */
  pollIntervalMs: number;
  /** --ignore-warnings: placement and pull events are reported, not fatal. */
  ignoreWarnings?: boolean;
}
