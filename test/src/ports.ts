import { freePorts } from "@platform/local-region/testing";

// Every suite runs its own local region beside a developer's (4566/8080/8443) and beside the other
// engineers' tests (task ports 43000–43999): listener ports come from the OS, task and media ports
// from a block of 300 from 46000 up that belongs to one suite.

export interface PortRange {
  from: number;
  to: number;
}

export interface SuitePorts {
  aws: number;
  http: number;
  https: number;
  /** The test listener (ECS moves test traffic to green here before production). */
  testHttp: number;
  testHttps: number;
  tasks: PortRange;
  mediaUdp: PortRange;
}

const BY_HAND_BLOCK = -6;

export const SUITE_BLOCKS = {
  "local-pipeline": 0,
  "zero-downtime": 1,
  "host-routing": 2,
  "browser-through-lb": 3,
  alarms: 4,
  "blue-green": 5,
  "blue-green-rollback": 6,
  "canary-linear": 7,
  // A benchmark (test/bench), numbered after the blue/green suites that come next (5–7).
  "rollback-speed": 8,
  "pipeline-stops": 9,
  // Below the first block: a block 10 would reach 49152, where the OS's ephemeral ports begin.
  "reliability-kill": -2,
  "reliability-region-restart": -1,
  // 45100–45399: free of every other suite and workspace.
  "autoscaling-jobs": -3,
  // The full-form reliability scripts (test/reliability/, BY_HAND) run one at a time, by hand: they
  // share 44200–44499, away from the suites' blocks and from the other workspaces' tests (44500 up).
  "reliability-bad-deploys": BY_HAND_BLOCK,
  "reliability-chaos": BY_HAND_BLOCK,
  "reliability-bg-bake-restart": BY_HAND_BLOCK,
  "reliability-load-steps": BY_HAND_BLOCK,
  "reliability-hostile": BY_HAND_BLOCK,
  "reliability-mixed-load": BY_HAND_BLOCK,
} as const;

export type SuiteName = keyof typeof SUITE_BLOCKS;

/** The names that share BY_HAND_BLOCK: never run beside each other, nor in `npm test`. */
export const BY_HAND: ReadonlySet<SuiteName> = new Set(
  (Object.keys(SUITE_BLOCKS) as SuiteName[]).filter((s) => SUITE_BLOCKS[s] === BY_HAND_BLOCK),
);

const BLOCK_BASE = 46000;
// 100 task ports and 200 UDP ports: a media task takes 20, and a blue/green deploy runs up to 4 per environment.
const BLOCK_SIZE = 300;
const TASK_PORTS_PER_SUITE = 100;

/** A suite's task and media port ranges: disjoint from every other suite's. */
export function suiteRanges(suite: SuiteName): { tasks: PortRange; mediaUdp: PortRange } {
  const base = BLOCK_BASE + SUITE_BLOCKS[suite] * BLOCK_SIZE;
  return {
    tasks: { from: base, to: base + TASK_PORTS_PER_SUITE - 1 },
    mediaUdp: { from: base + TASK_PORTS_PER_SUITE, to: base + BLOCK_SIZE - 1 },
  };
}

export async function suitePorts(suite: SuiteName): Promise<SuitePorts> {
  const [aws, http, https, testHttp, testHttps] = (await freePorts(5)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return { aws, http, https, testHttp, testHttps, ...suiteRanges(suite) };
}
