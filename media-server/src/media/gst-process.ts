import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";

/** PIDs of every gst-launch we started and that is still running. */
export const runningGstPids = new Set<number>();
/** Called with each new gst-launch PID (the soak test checks every one of them is gone afterwards). */
export const gstSpawnObservers = new Set<(pid: number) => void>();

export interface BusMessage {
  element: string;
  structure: string;
  text: string;
}

// GStreamer's latency tracer: how long a buffer took from udpsrc to udpsink, per buffer.
const LATENCY = /latency, .*sink-element=\(string\)udpsink\d+, .*time=\(guint64\)(\d+)/;

export function parseLatencyLine(line: string): number | undefined {
  const m = LATENCY.exec(line);
  return m ? Number(m[1]) : undefined;
}

const MESSAGE = /^Got message #\d+ from element "([^"]+)" \(element\): ([a-z0-9_-]+)(.*)$/i;

export function parseBusLine(line: string): BusMessage | undefined {
  const m = MESSAGE.exec(line);
  if (!m) return undefined;
  return { element: m[1] ?? "", structure: m[2] ?? "", text: m[3] ?? "" };
}

/**
 * One gst-launch-1.0 process: spawned with an argv array (no shell) under a parent-death signal,
 * bus messages read from its stdout (-m), its DOT graphs written to a private folder. `stop` ends
 * it by its own PID.
 */
export class GstProcess {
  readonly dotDir = mkdtempSync(path.join(tmpdir(), "gst-dot-"));
  private child: ChildProcess | undefined;
  private stopping = false;
  private stderrTail = "";
  private markPlaying: () => void = () => {};
  /** Resolves once gst-launch says the pipeline goes to PLAYING (its sockets and files are open). */
  readonly playing = new Promise<void>((resolve) => {
    this.markPlaying = resolve;
  });

  constructor(
    private readonly argv: string[],
    private readonly onMessage: (m: BusMessage) => void,
    private readonly onExit: (reason: string) => void,
    /** When given, GStreamer's latency tracer runs (a few % of a core) and reports each buffer here. */
    private readonly onLatency?: (ns: number) => void,
  ) {}

  start(): void {
    // setpriv (util-linux) sets PR_SET_PDEATHSIG and execs gst-launch in place (same PID): if
    // the server dies, even by SIGKILL, the kernel kills its GStreamer process too. Node can't set
    // the flag itself, and a process group would need a survivor to signal it.
    const child = spawn("setpriv", ["--pdeathsig", "KILL", "--", "gst-launch-1.0", ...this.argv], {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        GST_DEBUG_DUMP_DOT_DIR: this.dotDir,
        GST_DEBUG_NO_COLOR: "1",
        ...(this.onLatency ? { GST_TRACERS: "latency", GST_DEBUG: "GST_TRACER:7" } : { GST_DEBUG: "0" }),
      },
    });
    this.child = child;
    if (child.pid !== undefined) {
      runningGstPids.add(child.pid);
      for (const observe of gstSpawnObservers) observe(child.pid);
    }
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith("Setting pipeline to PLAYING")) this.markPlaying();
      const message = parseBusLine(line);
      if (message) this.onMessage(message);
    });
    createInterface({ input: child.stderr! }).on("line", (line) => {
      const latency = parseLatencyLine(line);
      if (latency !== undefined) return this.onLatency?.(latency);
      if (!line.includes("GST_TRACER")) this.stderrTail = `${this.stderrTail}${line}\n`.slice(-2000);
    });
    // A gst-launch that cannot be spawned (ENOENT, EACCES) emits error and, maybe, no exit.
    let ended = false;
    const end = (reason: string) => {
      if (child.pid !== undefined) runningGstPids.delete(child.pid);
      if (ended || this.stopping) return;
      ended = true;
      this.onExit(reason);
    };
    child.on("error", (error) => end(`gst-launch could not start: ${error.message}`));
    child.on("exit", (code, signal) =>
      end(`gst-launch exited (code ${code}, signal ${signal}): ${lastLine(this.stderrTail)}`),
    );
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The DOT of the running pipeline, as GStreamer dumped it when it reached PLAYING. */
  dot(): string | undefined {
    const files = readdirSync(this.dotDir).filter((f) => f.endsWith(".dot"));
    const best =
      files
        .filter((f) => f.includes("PLAYING"))
        .sort()
        .at(-1) ?? files.sort().at(-1);
    return best ? readFileSync(path.join(this.dotDir, best), "utf8") : undefined;
  }

  /**
   * Ends the stream properly: SIGINT makes gst-launch -e send EOS, so muxers write their index and
   * duration before it exits. Falls back to stop() after `timeoutMs`.
   */
  async finish(timeoutMs: number): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      this.stopping = true;
      const exited = new Promise<boolean>((resolve) => child.once("exit", () => resolve(true)));
      child.kill("SIGINT");
      const timer = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
      await Promise.race([exited, timer]);
    }
    await this.stop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dotDir, { recursive: true, force: true });
  }
}

function lastLine(text: string): string {
  const lines = text
    .trim()
    .split("\n")
    .filter((l) => !l.startsWith("[ERROR:"));
  return (lines.at(-1) ?? "").slice(0, 300);
}
