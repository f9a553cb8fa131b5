import { describe, expect, it } from "vitest";
import { isAnalysisThread } from "../../src/media/thread-priority.js";

describe("analysis threads", () => {
  it("are the streaming threads of the analysis queues, and the threads they started", () => {
    expect(isAnalysisThread("r0f0_aq:src\n")).toBe(true);
    expect(isAnalysisThread("r12f3_aq:src")).toBe(true);
    // The video path's threads keep their priority.
    expect(isAnalysisThread("udpsrc0:src")).toBe(false);
    expect(isAnalysisThread("queue0:src")).toBe(false);
    expect(isAnalysisThread("gst-launch-1.0")).toBe(false);
    expect(isAnalysisThread("r0f0_aq:sink")).toBe(false);
  });
});
