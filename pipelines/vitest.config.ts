import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "pipelines",
    include: ["test/**/*.test.ts"],
    // A safety net, not a measure: on a shared 2-core machine with coverage on, tests slow down a lot.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // GitHub's workflow parser imports its schema JSON without an import attribute, which Node
    // refuses; through vite's transform it loads.
    server: { deps: { inline: ["@actions/workflow-parser"] } },
  },
});
