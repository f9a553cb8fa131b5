import { describe, expect, it } from "vitest";
import { exactlyOnce, type JobView } from "../src/api-jobs.js";

// No region: the exactly-once reading of job event logs that the scaling and reliability suites use.

const view = (id: string, status: string, actions: string[]): [string, JobView] => [
  id,
  {
    job: { jobid: id, status },
    events: actions.map((action, seq) => ({ seq, action, ts: "", worker: null })),
  },
];

describe("exactlyOnce", () => {
  it("counts jobs finished once and names those finished twice, never, or failed", () => {
    const jobs = new Map([
      view("a", "COMPLETE", ["JobSummit", "JobStart", "JobFinished"]),
      view("b", "COMPLETE", ["JobSummit", "JobStart", "JobRequeued", "JobStart", "JobFinished"]),
      view("c", "COMPLETE", ["JobSummit", "JobStart", "JobFinished", "JobFinished"]),
      view("d", "PROGRESSING", ["JobSummit", "JobStart"]),
      view("e", "ERROR", ["JobSummit", "JobStart", "JobFailed"]),
    ]);
    expect(exactlyOnce(jobs)).toEqual({
      finishedOnce: 2,
      duplicated: ["c"],
      unfinished: ["d", "e"],
      failed: ["e"],
      requeued: 1,
    });
  });
});
