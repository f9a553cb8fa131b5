// A read repeated every `intervalMs` until stopped: the suites' view of state that only the AWS API
// shows (rule weights, target health) as a timeline. One read at a time; a failed read is skipped.

export interface Polling {
  stop(): Promise<void>;
}

export function startPolling(read: () => Promise<void>, intervalMs: number): Polling {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await read().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
