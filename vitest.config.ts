import { defineConfig } from "vitest/config";

// Each workspace owns its vitest.config.ts; this file only lists them so `vitest run`
// at the root runs every suite, and `vitest run --project <name>` runs one.
export default defineConfig({
  test: {
    passWithNoTests: true,
    // The TeamCity reporter prints service messages only when TEAMCITY_VERSION is set.
    reporters: [
      "default",
      "./pipelines/src/ci-definitions/vitest-teamcity-reporter.ts",
      "./scripts/summary-reporter.ts",
    ],
    projects: [
      "env",
      "infra/alarm-notifier",
      "infra/aws",
      "infra/image-format",
      "infra/local",
      "pipelines",
      "telemetry",
      "api",
      "media-server",
      "test",
    ].map((dir) => `${dir}/vitest.config.ts`),
  },
});
