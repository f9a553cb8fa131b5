import { describe, expect, it } from "vitest";
import { failureReason } from "../../src/pipeline/failure-reason.js";

describe("the reason a failed step's summary quotes", () => {
  it("is ecs deploy's verdict, not the stopped tasks' log lines after it, and without its timestamp", () => {
    const lines = [
      "2026-12-03T06:03:01.880Z   test| verify-green: no frames decoded (ICE connected)",
      "\u001b[31m2026-12-03T06:03:03.982Z Deploy of media-server-qa:2 FAILED: the test check failed\u001b[39m",
      '2026-12-03T06:03:03.982Z     {"level":"info","message":"pipeline released"}',
      "2026-12-03T06:03:03.982Z     Error: broken build",
      "2026-12-03T06:03:03.982Z     Node.js v24.22.3",
    ];
    expect(failureReason(lines)).toBe("Deploy of media-server-qa:2 FAILED: the test check failed");
  });

  it("is a crash's Error line, not the Node version Node prints last", () => {
    const lines = ["    at main (file:///app/main.js:1:7)", "Error: broken build", "", "Node.js v24.22.3"];
    expect(failureReason(lines)).toBe("Error: broken build");
  });

  it("is an assertion's error line among a test runner's output", () => {
    const lines = ["FAIL env/test/broken.test.ts", "AssertionError: expected 2 to be 3", "Tests 1 failed"];
    expect(failureReason(lines)).toBe("AssertionError: expected 2 to be 3");
  });

  it("is the last line when none says error, and empty when there is none", () => {
    expect(failureReason(["compiling", "exit status 2"])).toBe("exit status 2");
    expect(failureReason([])).toBe("");
  });
});
