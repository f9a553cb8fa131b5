// Small display helpers shared by the pages.

export function time(ms: number | undefined): string {
  return ms ? new Date(ms).toLocaleTimeString("en-GB", { hour12: false }) : "–";
}

export function duration(from: number | undefined, to: number | undefined): string {
  if (!from) return "–";
  const s = Math.max(0, Math.round(((to ?? Date.now()) - from) / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** A CSS class for a state word, so ALARM, FAILED and unhealthy read red everywhere. */
export function tone(state: string): string {
  const s = state.toUpperCase();
  if (/ALARM|FAIL|UNHEALTHY|STOPPED|ROLLBACK/.test(s)) return "bad";
  if (/OK|SUCCESS|COMPLETED|HEALTHY|RUNNING|ACTIVE|PRIMARY/.test(s)) return "good";
  if (/PROGRESS|PENDING|INITIAL|DRAINING|INSUFFICIENT|PROVISIONING/.test(s)) return "busy";
  return "";
}

/**
 * Host ports as runs: a media server binds one port per RTP/RTCP slot, and twenty numbers in a
 * cell push the target health off a 1280-wide page. "40001, 41020–41039 (20)".
 */
export function portRanges(ports: number[]): string {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const port of sorted) {
    const last = runs.at(-1);
    if (last && port === last[1] + 1) last[1] = port;
    else runs.push([port, port]);
  }
  return runs.map(([from, to]) => (from === to ? `${from}` : `${from}–${to} (${to - from + 1})`)).join(", ");
}
