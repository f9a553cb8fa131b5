import { readdirSync, readFileSync } from "node:fs";

// A process's resident memory, open file descriptors and CPU time, read from /proc the way an
// operator checks a server under attack; and, pure, what a series of such readings says (start, max,
// end), so "bounded" is a number in the report and not an impression.

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on Linux, `getconf CLK_TCK`). */
const TICKS_PER_SECOND = 100;

export interface ProcReading {
  /** Epoch ms. */
  at: number;
  rssKiB: number;
  fds: number;
  /** utime + stime, ms. */
  cpuMs: number;
}

/** VmRSS of /proc/<pid>/status, KiB; undefined when the line is absent (a zombie). */
export function parseVmRssKiB(status: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) : undefined;
}

/** utime + stime of /proc/<pid>/stat in ms (fields 14 and 15; the command in parentheses may hold spaces). */
export function parseCpuMs(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the command, field 3 (state) is index 0: utime (14) is index 11, stime (15) index 12.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** One reading of a process; undefined once it is gone. */
export function readProc(pid: number, at = Date.now()): ProcReading | undefined {
  try {
    const rssKiB = parseVmRssKiB(readFileSync(`/proc/${pid}/status`, "utf8"));
    if (rssKiB === undefined) return undefined;
    return {
      at,
      rssKiB,
      fds: readdirSync(`/proc/${pid}/fd`).length,
      cpuMs: parseCpuMs(readFileSync(`/proc/${pid}/stat`, "utf8")),
    };
  } catch {
    return undefined;
  }
}

/** The readings of several processes added up (a task's container and its children). */
export function readProcs(pids: readonly number[], at = Date.now()): ProcReading | undefined {
  const readings = pids.flatMap((pid) => readProc(pid, at) ?? []);
  if (readings.length === 0) return undefined;
  return {
    at,
    rssKiB: readings.reduce((n, r) => n + r.rssKiB, 0),
    fds: readings.reduce((n, r) => n + r.fds, 0),
    cpuMs: readings.reduce((n, r) => n + r.cpuMs, 0),
  };
}

export interface ProcSummary {
  readings: number;
  startRssMiB: number;
  maxRssMiB: number;
  endRssMiB: number;
  startFds: number;
  maxFds: number;
  endFds: number;
}

const mib = (kib: number) => Math.round(kib / 102.4) / 10;

/** Start, max and end of a process's readings, in time order. */
export function summarize(readings: readonly ProcReading[]): ProcSummary | undefined {
  const first = readings[0];
  const last = readings.at(-1);
  if (!first || !last) return undefined;
  return {
    readings: readings.length,
    startRssMiB: mib(first.rssKiB),
    maxRssMiB: mib(Math.max(...readings.map((r) => r.rssKiB))),
    endRssMiB: mib(last.rssKiB),
    startFds: first.fds,
    maxFds: Math.max(...readings.map((r) => r.fds)),
    endFds: last.fds,
  };
}

export interface Bound {
  /** The end may exceed the start by this factor... */
  rssFactor: number;
  /** ...or by this many MiB, whichever is larger (a small process doubles by warming up). */
  rssSlackMiB: number;
  /** Open descriptors at the end at most the start's plus this. */
  fdSlack: number;
}

/** Whether a process came back near where it started once the hostile clients were gone; why not, if not. */
export function boundedProblems(name: string, s: ProcSummary, bound: Bound): string[] {
  const problems: string[] = [];
  const rssLimit = Math.max(s.startRssMiB * bound.rssFactor, s.startRssMiB + bound.rssSlackMiB);
  if (s.endRssMiB > rssLimit)
    problems.push(`${name}: RSS ${s.endRssMiB} MiB at the end, over ${rssLimit.toFixed(0)} MiB`);
  if (s.endFds > s.startFds + bound.fdSlack)
    problems.push(`${name}: ${s.endFds} open descriptors at the end, over ${s.startFds} + ${bound.fdSlack}`);
  return problems;
}

/** CPU use over an interval as a percent of one core. */
export function cpuPercent(from: ProcReading | undefined, to: ProcReading | undefined): number | undefined {
  if (!from || !to || to.at <= from.at) return undefined;
  return Math.round((1000 * (to.cpuMs - from.cpuMs)) / (to.at - from.at)) / 10;
}

/** The machine's CPU time (all cores) from the first line of /proc/stat, in ticks: idle (idle + iowait) and total. */
export function parseMachineCpu(stat: string): { idle: number; total: number } {
  const fields = (stat.split("\n")[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
  return { idle: (fields[3] ?? 0) + (fields[4] ?? 0), total: fields.reduce((n, v) => n + v, 0) };
}

export function readMachineCpu(): { idle: number; total: number } {
  return parseMachineCpu(readFileSync("/proc/stat", "utf8"));
}

/** The share of the machine's CPU time that was busy between two readings, percent of all cores. */
export function machineBusyPercent(
  from: { idle: number; total: number },
  to: { idle: number; total: number },
): number {
  const total = to.total - from.total;
  return total <= 0 ? 0 : Math.round((1000 * (total - (to.idle - from.idle))) / total) / 10;
}

/** /proc/<pid>/schedstat: ns on a core, ns runnable but waiting for one (the run queue), timeslices. */
export function parseSchedWaitNs(schedstat: string): number {
  return Number(schedstat.trim().split(/\s+/)[1] ?? 0);
}

/** Run-queue wait of a process's main thread (a Node event loop), ms; undefined once it is gone. */
export function readSchedWaitMs(pid: number): number | undefined {
  try {
    return parseSchedWaitNs(readFileSync(`/proc/${pid}/schedstat`, "utf8")) / 1e6;
  } catch {
    return undefined;
  }
}

/** Reads each named process group every `everyMs` until stopped; a group whose PIDs change (a deploy) is re-resolved each time. */
export class ProcSampler {
  private readonly series = new Map<string, ProcReading[]>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly groups: Record<string, () => number[]>,
    everyMs: number,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  private sample(): void {
    const at = Date.now();
    for (const [name, pids] of Object.entries(this.groups)) {
      const reading = readProcs(pids(), at);
      if (reading) this.series.set(name, [...(this.series.get(name) ?? []), reading]);
    }
  }

  stop(): Map<string, ProcReading[]> {
    clearInterval(this.timer);
    this.sample();
    return this.series;
  }
}
