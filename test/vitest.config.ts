import { defineProject } from "vitest/config";

// The slowest suites of the repository: each starts a whole local region (npm start) of its own.
// One file at a time, so they don't fight over CPU; ports are disjoint anyway (src/ports.ts).
export default defineProject({
  test: {
    name: "e2e",
    include: ["test/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 360_000,
  },
});
