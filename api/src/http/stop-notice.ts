// ECS tells a task it is being stopped long before SIGTERM: when the scheduler decides to stop it, the
// task's desired status turns STOPPED, its targets are deregistered and drain for the deregistration
// delay, and only then comes SIGTERM. The load balancer cuts the WebSockets still open at the end of
// the drain, without a close frame (the client sees 1006). Read from the task metadata endpoint, the
// desired status lets the API close them itself at the start of the drain, with 1001, while the load
// balancer still carries the close frame; the clients reconnect (with ?lastMod=) to a task that stays.

/** The task metadata document (`${ECS_CONTAINER_METADATA_URI_V4}/task`) says ECS is stopping the task. */
export function stopRequested(task: unknown): boolean {
  return (task as { DesiredStatus?: unknown } | null)?.DesiredStatus === "STOPPED";
}

/**
 * Reads the task document every `everyMs` until it says STOPPED, then calls `onStop` once. No URI (not
 * on ECS): nothing to watch. A failed read is tried again at the next tick. Returns the stop function.
 */
export function watchStopNotice(uri: string | undefined, onStop: () => void, everyMs = 1000): () => void {
  if (!uri) return () => undefined;
  let reading = false;
  const timer = setInterval(async () => {
    if (reading) return;
    reading = true;
    try {
      const res = await fetch(`${uri}/task`, { signal: AbortSignal.timeout(2000) });
      if (res.ok && stopRequested(await res.json())) {
        clearInterval(timer);
        onStop();
      }
    } catch {
      // the endpoint is local to the task; a miss is retried at the next tick
    } finally {
      reading = false;
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
