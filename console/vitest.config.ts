import { defineProject } from "vitest/config";

// Timeouts are a safety net, not a measure: the browser tests start a region with real tasks on a
// shared 2-core machine.
export default defineProject({
  test: { name: "console", include: ["test/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 120_000 },
});
