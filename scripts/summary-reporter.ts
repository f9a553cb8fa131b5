import type { Reporter, TestModule, Vitest } from "vitest/node";

// CI reads the last line of a run: vitest's own summary is decorated, so close with a plain
// "N passed, N failed, N skipped" line that any log reader understands. It is printed when vitest
// closes, after what the other reporters and the coverage check print once the run has ended
// (the JUnit file's path, a coverage threshold missed), so it stays the last line.
export default class SummaryReporter implements Reporter {
  private closingLine: string | undefined;

  onInit(vitest: Vitest): void {
    vitest.onClose(() => {
      if (this.closingLine) process.stdout.write(this.closingLine);
    });
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") counts.passed++;
        else if (state === "failed") counts.failed++;
        else counts.skipped++;
      }
      if (module.state() === "failed" && [...module.children.allTests()].length === 0) counts.failed++;
    }
    counts.failed += unhandledErrors.length;
    // The runtime is part of the result: the project promises Node 24, not whatever is on PATH.
    this.closingLine =
      `\nruntime: node ${process.version}` +
      `\ntests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`;
  }
}
