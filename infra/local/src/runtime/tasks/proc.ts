import { readdirSync, readFileSync } from "node:fs";

// Reading /proc: a process's start time (to tell a PID from a reused one), and the resident memory
// and CPU time of a process group (a container's whole process tree: it runs in a group of its own).

const PAGE_SIZE = 4096;
/** USER_HZ: the unit of /proc's CPU times, 100 on every Linux the region runs on. */
export const CLOCK_TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  pgrp: number;
  startTicks: number;
  rssPages: number;
  /** utime + stime: CPU time used in user and kernel mode, in clock ticks. */
  cpuTicks: number;
}

export interface GroupUsage {
  rssBytes: number;
  cpuTicks: number;
}

function readStat(pid: number | string): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may hold spaces: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return {
      pid: Number(pid),
      pgrp: Number(fields[2]),
      startTicks: Number(fields[19]),
      rssPages: Number(fields[21]),
      cpuTicks: Number(fields[11]) + Number(fields[12]),
    };
  } catch {
    return undefined;
  }
}

export function startTicksOf(pid: number): number | undefined {
  return readStat(pid)?.startTicks;
}

/** The process is alive and is the same one (same start time) as when it was recorded. */
export function isSameProcess(pid: number, startTicks: number | undefined): boolean {
  const stat = readStat(pid);
  if (!stat) return false;
  return startTicks === undefined || stat.startTicks === startTicks;
}

/**
 * Resident bytes and CPU ticks per process group, for the groups asked about, in one pass over /proc. The CPU time of the
 * group's processes that have exited is not counted: the caller's deltas are never below zero.
 */
export function groupUsage(groups: Set<number>): Map<number, GroupUsage> {
  const totals = new Map<number, GroupUsage>();
  if (groups.size === 0) return totals;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (!stat || !groups.has(stat.pgrp)) continue;
    const total = totals.get(stat.pgrp) ?? { rssBytes: 0, cpuTicks: 0 };
    total.rssBytes += stat.rssPages * PAGE_SIZE;
    total.cpuTicks += stat.cpuTicks;
    totals.set(stat.pgrp, total);
  }
  return totals;
}

/** Signals a whole process group; false when it is already gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
