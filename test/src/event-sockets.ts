import WebSocket from "ws";

// The API's job-event WebSocket (GET /api/v1/ws, api/src/http/events-ws.ts) opened through the load
// balancer, the way a dashboard keeps one open: each socket records when it opened, what it
// received and when and how it closed, so a suite can hold that against the target's drain.

export interface EventSocketRecord {
  openedAt: number;
  /** The API's greeting ({"type":"hello"}) arrived: the upgrade reached an API task, not just the LB. */
  greeted: boolean;
  closedAt?: number;
  closeCode?: number;
  error?: string;
}

export interface EventSockets {
  records: readonly EventSocketRecord[];
  /** Resolves once every socket has closed, or after `ms`. */
  allClosed(ms: number): Promise<boolean>;
  close(): Promise<void>;
}

/** `count` sockets to ws://127.0.0.1:<port>/api/v1/ws with `host` (the environment) and its API key. */
export async function openEventSockets(
  port: number,
  host: string,
  apiKey: string,
  count: number,
): Promise<EventSockets> {
  const opened = await Promise.all(Array.from({ length: count }, () => openOne(port, host, apiKey)));
  const records = opened.map((o) => o.record);
  const closed = opened.map((o) => o.closed);
  return {
    records,
    allClosed: (ms) =>
      Promise.race([
        Promise.all(closed).then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref()),
      ]),
    close: async () => {
      for (const { socket } of opened) if (socket.readyState === WebSocket.OPEN) socket.close(1000);
      await Promise.race([Promise.all(closed), new Promise((r) => setTimeout(r, 5_000).unref())]);
    },
  };
}

async function openOne(
  port: number,
  host: string,
  apiKey: string,
): Promise<{ socket: WebSocket; record: EventSocketRecord; closed: Promise<void> }> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/ws`, {
    headers: { host, authorization: `Bearer ${apiKey}` },
    handshakeTimeout: 10_000,
  });
  const record: EventSocketRecord = { openedAt: 0, greeted: false };
  const greeted = new Promise<void>((resolve) =>
    socket.on("message", (data) => {
      if ((JSON.parse(String(data)) as { type?: string }).type === "hello") {
        record.greeted = true;
        resolve();
      }
    }),
  );
  const closed = new Promise<void>((resolve) =>
    socket.once("close", (code) => {
      record.closedAt = Date.now();
      record.closeCode = code;
      resolve();
    }),
  );
  socket.on("error", (error) => {
    record.error = error.message;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => {
      record.openedAt = Date.now();
      resolve();
    });
    socket.once("unexpected-response", (_req, res) =>
      reject(new Error(`upgrade refused: ${res.statusCode} ${res.statusMessage}`)),
    );
    socket.once("error", reject);
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    greeted,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error("no hello from the API in 10 s")), 10_000);
    }),
  ]).finally(() => clearTimeout(timer));
  return { socket, record, closed };
}
