import { FILTERS, type FilterSession, startFilterSession } from "./filter-session.js";
import type { KurentoEvent } from "./kurento-rpc.js";
import { type LiveStats, liveStats, type Snapshot, serverLatencyMs, snapshot } from "./stats.js";

/** The demo page: camera and processed video side by side, stats and events live. */
export interface DemoState {
  session: FilterSession | undefined;
  events: KurentoEvent[];
  stats: (LiveStats & { serverLatencyMs: number | undefined }) | undefined;
  reconnects: number;
}

const state: DemoState = { session: undefined, events: [], stats: undefined, reconnects: 0 };
let current = { filter: "loopback", degradation: "maintain-resolution" as RTCDegradationPreference };
let statsTimer: number | undefined;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function kurentoUrl(location: Location, override?: string | null): string {
  if (override) return override;
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/kurento`;
}

async function start(
  filter: string,
  degradation: RTCDegradationPreference = "maintain-resolution",
): Promise<void> {
  await stop();
  current = { filter, degradation };
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { width: 640, height: 480, frameRate: 30 },
    audio: false,
  });
  $<HTMLVideoElement>("local").srcObject = stream;
  const session = await startFilterSession({
    wsUrl: kurentoUrl(location, new URLSearchParams(location.search).get("ws")),
    filter,
    stream,
    degradationPreference: degradation,
    onEvent: showEvent,
    onClose: () => void reconnectSoon(),
  });
  state.session = session;
  session.pc.ontrack = (e) => {
    $<HTMLVideoElement>("remote").srcObject = e.streams[0] ?? new MediaStream([e.track]);
  };
  let before: Snapshot = snapshot(await session.pc.getStats(), performance.now());
  statsTimer = window.setInterval(async () => {
    const after = snapshot(await session.pc.getStats(), performance.now());
    const server = await session.rpc
      .value("invoke", { object: session.endpoint, operation: "getStats", operationParams: {} })
      .catch(() => undefined);
    state.stats = { ...liveStats(before, after), serverLatencyMs: serverLatencyMs(server) };
    before = after;
    showStats(state.stats);
  }, 1000);
}

async function stop(): Promise<void> {
  window.clearInterval(statsTimer);
  const session = state.session;
  state.session = undefined;
  if (session) {
    session.rpc.onClose = () => {};
    await session.stop();
  }
}

function showEvent(e: KurentoEvent): void {
  state.events.push(e);
  if (e.type === "ServerShuttingDown") void reconnectSoon();
  const list = $<HTMLOListElement>("events");
  const item = document.createElement("li");
  const detail =
    e.type === "CodeFound"
      ? `: ${String(e.data.value)}`
      : e.type === "PlateDetected"
        ? `: ${String(e.data.plate)}`
        : e.type.includes("Flow")
          ? `: ${String(e.data.state)}`
          : "";
  item.textContent = `${new Date().toLocaleTimeString()} ${e.type}${detail}`;
  list.prepend(item);
  while (list.children.length > 50) list.lastElementChild?.remove();
}

function showStats(s: LiveStats & { serverLatencyMs: number | undefined }): void {
  const added = s.serverLatencyMs === undefined ? "none (direct RTP)" : `${s.serverLatencyMs} ms`;
  $("stats").textContent =
    `${s.fps} fps · ${s.width}×${s.height} · ${s.bitrateKbps} kbit/s · RTT ${s.rttMs?.toFixed(0) ?? "–"} ms · ` +
    `added by the filters ${added} · decode ${s.decodeMsPerFrame ?? "–"} ms/frame`;
}

/** The server is going away (deploy): start again on a fresh connection, which the ALB sends elsewhere. */
async function reconnectSoon(): Promise<void> {
  if (!state.session) return;
  state.reconnects++;
  state.session.rpc.onClose = () => {};
  state.session = undefined;
  for (let attempt = 0; attempt < 10; attempt++) {
    await new Promise((r) => setTimeout(r, 1000 * (attempt + 1)));
    try {
      return await start(current.filter, current.degradation);
    } catch {
      // the next attempt may land on the new task
    }
  }
}

function init(): void {
  const select = $<HTMLSelectElement>("filter");
  for (const name of Object.keys(FILTERS)) select.add(new Option(name, name));
  $("start").onclick = () =>
    void start(select.value).catch((e: unknown) => ($("stats").textContent = String(e)));
  $("stop").onclick = () => void stop();
}

declare global {
  interface Window {
    mediaDemo: { start: typeof start; stop: typeof stop; state: DemoState };
  }
}
window.mediaDemo = { start, stop, state };
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
