import { defineProject } from "vitest/config";

// Files run one after another, and the project runs after the other projects of the root run
// (groupOrder): the browser suites measure frame rates, and two Chromiums plus GStreamer beside
// other suites on 2 cores would measure the machine, not the server.
export default defineProject({
  test: {
    name: "media-server",
    include: ["test/**/*.test.ts"],
    exclude: ["test/kurento-compat/node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    sequence: { groupOrder: 1 },
  },
});
