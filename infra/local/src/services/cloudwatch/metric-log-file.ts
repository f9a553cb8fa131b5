import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Durable } from "../../contracts.js";
import { appendText } from "../../state/append-file.js";
import { writeFileAtomic } from "../../state/atomic-file.js";
import {
  emptyMetricLog,
  type LoggedPut,
  loggedDatums,
  type MetricLogState,
  trimMetricLog,
} from "./metric-log.js";

// The metric log on disk, append-only: a commit appends the puts accepted since the last one (one
// JSON line each) and fsyncs, so a put is on disk before it is answered and nothing is rewritten.
// When the file holds well over what the log keeps (expired or past the cap), it is compacted: the
// kept puts are written to a new file that replaces it atomically. Each compaction writes at most
// MAX_LOGGED_DATUMS datums and comes after at least as many were appended.

const FILE = "cloudwatch-metrics.jsonl";
/** The JSON state file of older regions, read once and replaced by the log. */
const LEGACY_FILE = "cloudwatch-metrics.json";
/** Datums the file may hold beyond twice what the log keeps before it is compacted. */
const COMPACTION_SLACK = 1000;

export class MetricLogFile implements Durable<MetricLogState> {
  readonly state: MetricLogState;
  private readonly file: string;
  private readonly written = new WeakSet<LoggedPut>();
  private datumsInFile = 0;

  constructor(stateDir: string, now: () => number = Date.now) {
    const folder = join(stateDir, "state");
    mkdirSync(folder, { recursive: true });
    this.file = join(folder, FILE);
    this.state = readLog(this.file, join(folder, LEGACY_FILE));
    trimMetricLog(this.state, now());
    this.compact();
    rmSync(join(folder, LEGACY_FILE), { force: true });
  }

  commit(): void {
    const fresh = this.unwritten();
    if (fresh.length === 0) return;
    if (this.datumsInFile > 2 * loggedDatums(this.state.puts) + COMPACTION_SLACK) {
      this.compact();
      return;
    }
    appendText(this.file, fresh.map(line).join(""));
    for (const put of fresh) this.remember(put);
  }

  /** The puts at the log's end not yet in the file: they were pushed since the last commit. */
  private unwritten(): LoggedPut[] {
    const puts = this.state.puts;
    let first = puts.length;
    while (first > 0 && !this.written.has(puts[first - 1]!)) first--;
    return puts.slice(first);
  }

  private compact(): void {
    writeFileAtomic(this.file, this.state.puts.map(line).join(""), 0o600);
    this.datumsInFile = 0;
    for (const put of this.state.puts) this.remember(put);
  }

  private remember(put: LoggedPut): void {
    this.written.add(put);
    this.datumsInFile += put.data.length;
  }
}

const line = (put: LoggedPut) => `${JSON.stringify(put)}\n`;

function readLog(file: string, legacy: string): MetricLogState {
  if (existsSync(file)) {
    const text = readFileSync(file, "utf8");
    // A line a crash cut short was never acknowledged: it is left out and goes at the next compaction.
    const complete = text.slice(0, text.lastIndexOf("\n") + 1);
    return {
      puts: complete
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as LoggedPut),
    };
  }
  if (existsSync(legacy)) return JSON.parse(readFileSync(legacy, "utf8")) as MetricLogState;
  return emptyMetricLog();
}
