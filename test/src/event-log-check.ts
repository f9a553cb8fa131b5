// Pure: what a resuming event client received, held against the service's full event log (read at
// the end over HTTP): every event after the seq it started from up to the last it saw, once each, in
// order. A client that resumed from the wrong lastMod shows up as missed (too late) or repeated (too
// early) events.

export interface EventLogCheck {
  /** Events of the full log the client should have got: seq in (from, upTo]. */
  expected: number;
  received: number;
  missed: number[];
  /** Seqs received more than once. */
  repeated: number[];
  /** Seqs received that the full log does not have. */
  unknown: number[];
  /** Times a seq came after a greater or equal one (a replay out of order). */
  outOfOrder: number;
}

/** `from`: the seq the client's first connection started after (its hello's lastMod). */
export function checkEventLog(
  received: readonly number[],
  full: readonly number[],
  from: number,
): EventLogCheck {
  const upTo = received.length === 0 ? from : Math.max(...received);
  const inLog = new Set(full);
  const expected = full.filter((seq) => seq > from && seq <= upTo);
  const counts = new Map<number, number>();
  for (const seq of received) counts.set(seq, (counts.get(seq) ?? 0) + 1);
  let outOfOrder = 0;
  for (let i = 1; i < received.length; i++)
    if ((received[i] as number) <= (received[i - 1] as number)) outOfOrder++;
  return {
    expected: expected.length,
    received: received.length,
    missed: expected.filter((seq) => !counts.has(seq)),
    repeated: [...counts].filter(([, n]) => n > 1).map(([seq]) => seq),
    unknown: [...counts.keys()].filter((seq) => !inLog.has(seq)),
    outOfOrder,
  };
}

/** One WebSocket connection of a resuming client, as it opened and closed. */
export interface ConnectionRecord {
  openedAt: number;
  /** The lastMod it asked for (none on the first connection). */
  lastMod?: number;
  /** The lastMod the API's hello named. */
  helloLastMod?: number;
  closedAt?: number;
  closeCode?: number;
  /** Closed by the client itself (the end of the run), not by the service. */
  byClient?: boolean;
}

export interface SocketFigures {
  clients: number;
  /** Closes by the service, per close code (1006: the connection dropped without a close frame). */
  closesByCode: Record<string, number>;
  /** Connections opened again with ?lastMod= after a close by the service. */
  resumes: number;
  /** Closes by the service not followed by a resumed connection. */
  notResumed: number;
  missed: number;
  repeated: number;
  unknown: number;
  outOfOrder: number;
}

export function socketFigures(
  clients: readonly { connections: readonly ConnectionRecord[]; check: EventLogCheck }[],
): SocketFigures {
  const closesByCode: Record<string, number> = {};
  let resumes = 0;
  let notResumed = 0;
  for (const { connections } of clients) {
    connections.forEach((c, i) => {
      if (c.closedAt !== undefined && !c.byClient) {
        const code = String(c.closeCode ?? "none");
        closesByCode[code] = (closesByCode[code] ?? 0) + 1;
        if (connections[i + 1]?.lastMod === undefined) notResumed++;
      }
      if (c.lastMod !== undefined) resumes++;
    });
  }
  const sum = (pick: (check: EventLogCheck) => number) => clients.reduce((n, c) => n + pick(c.check), 0);
  return {
    clients: clients.length,
    closesByCode,
    resumes,
    notResumed,
    missed: sum((c) => c.missed.length),
    repeated: sum((c) => c.repeated.length),
    unknown: sum((c) => c.unknown.length),
    outOfOrder: sum((c) => c.outOfOrder),
  };
}
