import { readdirSync, readFileSync } from "node:fs";
import { setPriority } from "node:os";

// On a busy machine every runnable thread takes its turn on the cores, so an analysis thread
// (face or plate detection, zbar) delays the video thread beside it even though it never blocks
// it. Linux's nice value is per thread: raised on the analysis threads only, they get ~1/10 of a
// video thread's share when both want a core, and all the CPU that is idle.

/** Nice of analysis threads (the video threads stay at 0): CFS weight 110 against 1024. */
export const ANALYSIS_NICE = 10;

/**
 * Whether a thread name (/proc/<pid>/task/<tid>/comm, at most 15 characters) is an analysis
 * branch's: GStreamer names a queue's streaming thread `<queue>:src` (gst-pipeline.ts names the
 * analysis queues `r<route>f<filter>_aq`), and threads that thread creates, such as OpenCV's
 * workers, inherit the name.
 */
export const isAnalysisThread = (comm: string): boolean => /^r\d+f\d+_aq:src$/.test(comm.trim());

/** Lowers the analysis threads of process `pid`; returns how many were lowered. */
export function lowerAnalysisThreads(pid: number): number {
  let lowered = 0;
  for (const tid of threadsOf(pid)) {
    try {
      if (!isAnalysisThread(readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8"))) continue;
    } catch {
      continue; // the thread (or the process) ended meanwhile
    }
    if (lowerPriority(tid)) lowered++;
  }
  return lowered;
}

function threadsOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [];
  }
}

/** Sets a thread or a process (its main thread, and what it starts later) to ANALYSIS_NICE. */
export function lowerPriority(id: number): boolean {
  try {
    setPriority(id, ANALYSIS_NICE);
    return true;
  } catch {
    return false; // it ended meanwhile
  }
}
