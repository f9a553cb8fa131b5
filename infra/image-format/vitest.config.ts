import { defineProject } from "vitest/config";

// Timeouts are a safety net, not a measure: on a shared 2-core machine with coverage on, a test that
// takes 20 ms alone can take seconds.
export default defineProject({
  test: { name: "image-format", include: ["test/**/*.test.ts"], testTimeout: 30_000, hookTimeout: 60_000 },
});
