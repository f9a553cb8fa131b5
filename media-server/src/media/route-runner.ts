import { createSocket, type Socket } from "node:dgram";
import { RtpPacket } from "werift";
import { type FilterGst, type GstBranch, gstLaunchArgv, VP8_PAYLOAD_TYPE } from "./gst-pipeline.js";
import { type BusMessage, GstProcess } from "./gst-process.js";
import { lowerAnalysisThreads } from "./thread-priority.js";
import type { WebRtcPeer } from "./webrtc-peer.js";

/** An endpoint's RTP: a WebRTC peer, or the UDP port of a player or recorder process. */
export type RtpPeer = Pick<
  WebRtcPeer,
  "onVideo" | "onAudio" | "onKeyframeRequest" | "sendAudio" | "requestKeyframe"
>;

/** What the runner needs from an endpoint and a filter of the object model. */
export interface EndpointMedia {
  readonly peer: RtpPeer;
  /** A file source (its frames must all arrive), not a live camera (late frames are worth dropping). */
  readonly paced?: boolean;
  sendVideo(packet: RtpPacket): void;
}
export interface FilterMedia {
  readonly id: string;
  gstElements(name: string): FilterGst;
  onGstMessage(structure: string, text: string): void;
}
export interface MediaRoute {
  source: EndpointMedia;
  filters: FilterMedia[];
  sink: EndpointMedia;
}

const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
const KEYFRAME_RETRIES_MS = [300, 1000, 2500];
const ANALYSIS_RECHECK_MS = 3000;

/**
 * Runs a pipeline's routes (as route-planner.ts plans them): endpoint-to-endpoint routes forward
 * RTP directly; routes through filters go through one gst-launch process for the whole pipeline
 * (gst-pipeline.ts), over UDP on 127.0.0.1, restarted when it dies. Every rebuild tears the old
 * wiring down first, so nothing outlives a topology change.
 */
export class RouteRunner {
  private disposers: Array<() => void> = [];
  private sockets: Socket[] = [];
  private gst: GstProcess | undefined;
  private argv: string[] = [];
  private restarts: number[] = [];
  private branchesFor: Array<{ route: MediaRoute; socket: Socket; inPort: number }> = [];
  private filterByName = new Map<string, FilterMedia>();
  private timers = new Set<NodeJS.Timeout>();
  /** Moving average of the GStreamer latency (udpsrc → udpsink), in nanoseconds. */
  private latencyAverageNs: number | undefined;
  /** Kurento's setLatencyStats: measure what GStreamer adds (applies from the next (re)start). */
  traceLatency = false;

  constructor(private readonly onError: (description: string) => void) {}

  async apply(routes: MediaRoute[]): Promise<void> {
    await this.teardown();
    for (const route of routes) this.wireAudio(route);
    for (const route of routes.filter((r) => r.filters.length === 0)) this.wireDirect(route);
    const processed = routes.filter((r) => r.filters.length > 0);
    if (processed.length > 0) await this.startGst(processed);
  }

  /** Time the GStreamer process adds (decode, filters, encode); undefined when none runs. */
  latencyNs(): number | undefined {
    return this.gst ? this.latencyAverageNs : undefined;
  }

  /** Resolves when the filters' process (if any) is playing, so a source may start sending. */
  async ready(timeoutMs: number): Promise<void> {
    const gst = this.gst;
    if (!gst) return;
    await Promise.race([gst.playing, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  pid(): number | undefined {
    return this.gst?.pid;
  }

  dot(): string | undefined {
    return this.gst?.dot();
  }

  async release(): Promise<void> {
    await this.teardown();
  }

  private wireAudio(route: MediaRoute): void {
    this.listen(route.source.peer.onAudio, (p) => route.sink.peer.sendAudio(p));
  }

  private wireDirect(route: MediaRoute): void {
    this.listen(route.source.peer.onVideo, (p) => route.sink.sendVideo(p));
    this.listen(route.sink.peer.onKeyframeRequest, () => route.source.peer.requestKeyframe());
    route.source.peer.requestKeyframe();
  }

  private async startGst(routes: MediaRoute[]): Promise<void> {
    const branches: GstBranch[] = [];
    this.filterByName.clear();
    this.branchesFor = [];
    for (const [index, route] of routes.entries()) {
      const socket = await bindLoopback(0);
      this.sockets.push(socket);
      const inPort = await freeLoopbackPort();
      const filters = route.filters.map((f, i) => {
        const name = `r${index}f${i}`;
        this.filterByName.set(name, f);
        return f.gstElements(name);
      });
      branches.push({ inPort, outPort: socket.address().port, filters, paced: route.source.paced });
      this.branchesFor.push({ route, socket, inPort });
      this.wireProcessed(route, socket, inPort);
    }
    this.argv = gstLaunchArgv(branches);
    this.spawn();
  }

  private wireProcessed(route: MediaRoute, socket: Socket, inPort: number): void {
    this.listen(route.source.peer.onVideo, (p) => {
      const buf = p.serialize();
      buf[1] = (buf[1]! & 0x80) | VP8_PAYLOAD_TYPE;
      socket.send(buf, inPort, "127.0.0.1");
    });
    socket.on("message", (buf) => {
      try {
        route.sink.sendVideo(RtpPacket.deSerialize(buf));
      } catch {
        // a datagram that is not RTP is dropped; only gst-launch writes to this port
      }
    });
    // The encoder emits a keyframe on its own schedule; the browser's request reaches the source.
    this.listen(route.sink.peer.onKeyframeRequest, () => route.source.peer.requestKeyframe());
  }

  private spawn(): void {
    this.gst = new GstProcess(
      this.argv,
      (m) => this.busMessage(m),
      (reason) => this.died(reason),
      this.traceLatency ? (ns) => this.recordLatency(ns) : undefined,
    );
    this.gst.start();
    const gst = this.gst;
    void gst.playing.then(() => {
      if (this.gst !== gst) return;
      // Its udpsrc listens from now on: a keyframe that came before was lost, and no frame after it
      // decodes until the next one (a browser sends one only when asked). Spawning can take seconds
      // on a loaded machine, so the requests count from here, not from the spawn.
      for (const delay of [0, ...KEYFRAME_RETRIES_MS]) {
        this.later(delay, () => {
          for (const b of this.branchesFor) b.route.source.peer.requestKeyframe();
        });
      }
      // Its queue threads exist now; the second pass finds threads the analysis started on its first
      // frames (OpenCV's workers), should they not have inherited the priority.
      for (const delay of [0, ANALYSIS_RECHECK_MS]) {
        this.later(delay, () => this.gst === gst && gst.pid !== undefined && lowerAnalysisThreads(gst.pid));
      }
    });
  }

  private recordLatency(ns: number): void {
    this.latencyAverageNs =
      this.latencyAverageNs === undefined ? ns : this.latencyAverageNs * 0.95 + ns * 0.05;
  }

  private died(reason: string): void {
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    if (this.restarts.length >= MAX_RESTARTS) {
      this.onError(`GStreamer failed ${MAX_RESTARTS} times in a minute; giving up: ${reason}`);
      return;
    }
    this.restarts.push(now);
    this.onError(`GStreamer process died and is being restarted: ${reason}`);
    const old = this.gst;
    this.later(500, () => {
      if (this.gst !== old) return;
      void old?.stop();
      this.spawn();
    });
  }

  private busMessage(m: BusMessage): void {
    const prefix = /^(r\d+f\d+)_/.exec(m.element)?.[1];
    const filter = prefix ? this.filterByName.get(prefix) : undefined;
    filter?.onGstMessage(m.structure, m.text);
  }

  private listen<T extends unknown[]>(list: Array<(...args: T) => void>, fn: (...args: T) => void): void {
    list.push(fn);
    this.disposers.push(() => {
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    });
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private async teardown(): Promise<void> {
    for (const dispose of this.disposers.splice(0)) dispose();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const gst = this.gst;
    this.gst = undefined;
    this.latencyAverageNs = undefined;
    await gst?.stop();
    for (const socket of this.sockets.splice(0)) socket.close();
    this.branchesFor = [];
  }
}

function bindLoopback(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    socket.once("error", reject);
    socket.bind(port, "127.0.0.1", () => resolve(socket));
  });
}

/** A port gst-launch's udpsrc can bind: the OS picks it, we hand it over. */
async function freeLoopbackPort(): Promise<number> {
  const probe = await bindLoopback(0);
  const { port } = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
