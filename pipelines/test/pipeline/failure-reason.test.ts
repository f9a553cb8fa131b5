import { describe, expect, it } from "vitest";
import { failureReason } from "../../src/pipeline/failure-reason.js";

describe("the reason a failed step's summary quotes", () => {
  it("is ecs deploy's error line, not the stopped task's log lines after it", () => {
    const lines = [
      "green check: frames: no frames decoded (ICE connected)",
      "\u001b[31merror: the test command failed: rolled back to media-server-qa:2\u001b[39m",
      '{"level":"info","message":"pipeline released"}',
    ];
    expect(failureReason(lines)).toBe("error: the test command failed: rolled back to media-server-qa:2");
  });

  it("is a crash's Error line, not the Node version Node prints last", () => {
    const lines = ["    at main (file:///app/main.js:1:7)", "Error: broken build", "", "Node.js v24.22.3"];
    expect(failureReason(lines)).toBe("Error: broken build");
  });

  it("is the last line when none says error, and empty when there is none", () => {
    expect(failureReason(["compiling", "exit status 2"])).toBe("exit status 2");
    expect(failureReason([])).toBe("");
  });
});
