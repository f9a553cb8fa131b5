import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "alarm-notifier", include: ["test/**/*.test.ts"], testTimeout: 30_000 },
});
