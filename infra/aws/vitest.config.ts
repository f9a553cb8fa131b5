import { defineProject } from "vitest/config";

// Pulumi's runtime keeps its settings in process-wide state, so each test file (one stack each) runs in a
// process of its own: the forks pool with isolation, vitest's default, said explicitly.
export default defineProject({
  test: {
    name: "infra-aws",
    include: ["test/**/*.test.ts"],
    pool: "forks",
    isolate: true,
    testTimeout: 60_000,
  },
});
