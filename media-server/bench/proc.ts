import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";

// CPU and memory of a process tree from /proc, the way top counts them.

const CLOCK_TICKS = 100;

function stat(pid: number): string[] | undefined {
  try {
    // The command name may hold spaces: fields start after its closing parenthesis.
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ");
  } catch {
    return undefined;
  }
}

/** The process and its descendants (gst-launch children of the server, Chromium's renderers). */
export function processTree(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const ppid = Number(stat(pid)?.[1]);
    if (!parents.has(ppid)) parents.set(ppid, []);
    parents.get(ppid)!.push(pid);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(parents.get(tree[i]!) ?? []));
  return tree;
}

/** CPU seconds (user + system) of these processes so far; ones that exited count 0. */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const f = stat(pid);
    if (f) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / CLOCK_TICKS;
}

/** Resident memory (MiB) of these processes. */
export function rssMiB(pids: readonly number[]): number {
  let kib = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      kib += Number(m?.[1] ?? 0);
    } catch {
      // exited
    }
  }
  return kib / 1024;
}

/** A tree's CPU over a window, as % of one core: the returned function reads it. */
export function cpuMeter(root: number): () => number {
  const t0 = performance.now();
  const base = new Map(processTree(root).map((pid) => [pid, cpuSeconds([pid])]));
  return () => {
    // Children started in the window count from 0; ones that exited in it are lost (few, short).
    let used = 0;
    for (const pid of processTree(root)) used += cpuSeconds([pid]) - (base.get(pid) ?? 0);
    return (used / ((performance.now() - t0) / 1000)) * 100;
  };
}

export function machine(): string {
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  return `${cpus().length}× ${cpus()[0]?.model}, load average ${load}`;
}
