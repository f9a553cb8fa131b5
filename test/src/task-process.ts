import { readdirSync, readFileSync } from "node:fs";

// A task's host processes, found the way an operator would: the region's task runner gives every
// container ECS_CONTAINER_METADATA_URI_V4=<endpoint>/v4/<task id>/<container> (as ECS does), and a
// container's children inherit it. Read from /proc, so the kill is by PID, never by name.

const METADATA_VARIABLE = "ECS_CONTAINER_METADATA_URI_V4";

/** PIDs whose environment names the task id in its metadata URI (the container and its children). */
export function taskPids(taskId: string): number[] {
  const marker = `/v4/${taskId}/`;
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const uri = environOf(entry)?.get(METADATA_VARIABLE);
    if (uri?.includes(marker)) pids.push(Number(entry));
  }
  return pids;
}

function environOf(pid: string): Map<string, string> | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/environ`, "utf8");
    return new Map(
      text
        .split("\0")
        .filter((line) => line.includes("="))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
  } catch {
    // Gone since readdir, or not ours to read.
    return undefined;
  }
}

/** SIGKILL each PID; the ones already gone are skipped. Returns those signalled. */
export function kill9(pids: readonly number[]): number[] {
  return pids.filter((pid) => {
    try {
      process.kill(pid, "SIGKILL");
      return true;
    } catch {
      return false;
    }
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
