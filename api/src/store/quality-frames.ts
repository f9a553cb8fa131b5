import type { FrameQuality } from "../model/progress.js";
import type { Dialect } from "./dialect.js";
import { json, parse } from "./rows.js";
import type { QualityFrameStore } from "./store.js";

// Per-frame stats are kept apart from the job row: they can run to thousands of entries and only
// GET /quality/{id}/frames reads them. A retried attempt overwrites the earlier attempt's frames.

export function sqlQualityFrames(db: Dialect): QualityFrameStore {
  return {
    async saveFrames(jobId, frames) {
      await db.run(
        "INSERT INTO quality_frames (jobid, frames) VALUES ($1, $2) ON CONFLICT (jobid) DO UPDATE SET frames = $2",
        [jobId, json(frames)],
      );
    },
    async frames(jobId) {
      const [row] = await db.query<{ frames: string }>("SELECT frames FROM quality_frames WHERE jobid = $1", [
        jobId,
      ]);
      return row ? (parse<FrameQuality[]>(row.frames) ?? []) : undefined;
    },
  };
}
