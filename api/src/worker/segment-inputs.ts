import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";

// A segment's encoder reads its job's whole input from the segment's first keyframe on, so a process
// that encodes several segments of one job fetches that input once: it keeps the input of the job
// it last worked on while that job still has segments to give, and drops it once a claim finds none
// (or the worker stops). A segment of another job meanwhile fetches its own copy.

export interface HeldInput {
  path: string;
  release(): Promise<void>;
}

interface Entry {
  jobId: string;
  dir: string;
  path: Promise<string>;
  users: number;
}

export class SegmentInputs {
  private kept: Entry | undefined;

  constructor(
    private readonly tmpDir: string,
    private readonly fetch: (jobId: string, destination: string) => Promise<void>,
  ) {}

  async acquire(jobId: string): Promise<HeldInput> {
    if (this.kept && this.kept.jobId !== jobId && this.kept.users === 0) await this.dropIdle();
    if (this.kept && this.kept.jobId !== jobId) return this.fetchAlone(jobId);
    // Synchronous up to here, so two slots asking at once share one fetch.
    this.kept ??= this.start(jobId);
    const entry = this.kept;
    entry.users++;
    try {
      return { path: await entry.path, release: async () => void entry.users-- };
    } catch (error) {
      entry.users--;
      if (this.kept === entry) this.kept = undefined;
      await rm(entry.dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Removes the kept input unless a segment is reading it. */
  async dropIdle(): Promise<void> {
    const entry = this.kept;
    if (!entry || entry.users > 0) return;
    this.kept = undefined;
    await rm(entry.dir, { recursive: true, force: true });
  }

  private start(jobId: string): Entry {
    const dir = mkdtempSync(join(this.tmpDir, "segment-input-"));
    const file = join(dir, "input");
    const path = this.fetch(jobId, file).then(() => file);
    // Awaited by every user; a failure must not also go unhandled here.
    path.catch(() => undefined);
    return { jobId, dir, path, users: 0 };
  }

  private async fetchAlone(jobId: string): Promise<HeldInput> {
    const entry = this.start(jobId);
    const release = () => rm(entry.dir, { recursive: true, force: true });
    try {
      return { path: await entry.path, release };
    } catch (error) {
      await release();
      throw error;
    }
  }
}
