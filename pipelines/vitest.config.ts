import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "pipelines",
    include: ["test/**/*.test.ts"],
    // GitHub's workflow parser imports its schema JSON without an import attribute, which Node
    // refuses; through vite's transform it loads.
    server: { deps: { inline: ["@actions/workflow-parser"] } },
  },
});
