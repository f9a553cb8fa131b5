import { defineConfig } from "vitest/config";

// Each workspace owns its vitest.config.ts; this file only lists them so `vitest run`
// at the root runs every suite, and `vitest run --project <name>` runs one.
const workspaces = [
  "env",
  "infra/alarm-notifier",
  "infra/aws",
  "infra/image-format",
  "infra/local",
  "pipelines",
  "telemetry",
  "plots",
  "api",
  "media-server",
  "console",
  "test",
];

export default defineConfig({
  test: {
    passWithNoTests: true,
    // The TeamCity reporter prints service messages only when TEAMCITY_VERSION is set.
    reporters: [
      "default",
      "./pipelines/src/ci-definitions/vitest-teamcity-reporter.ts",
      ["junit", { outputFile: "reports/vitest/junit.xml", suiteName: "vitest" }],
      "./scripts/coverage-totals-reporter.ts",
      // Last: CI reads the closing line.
      "./scripts/summary-reporter.ts",
    ],
    coverage: {
      // Off unless asked for (`npm test` passes --coverage): a run of one project or one file
      // would otherwise fail the whole-suite thresholds below.
      enabled: false,
      provider: "v8",
      reportsDirectory: "coverage/node",
      // The workspaces' own sources. Listing them also reports files no test loads (at 0 %).
      // The dist/ copies other workspaces import are left out: V8 sees them as separate files.
      include: workspaces.map((dir) => `${dir}/src/**/*.ts`),
      exclude: [
        "**/*.d.ts",
        "**/dist/**",
        "**/test/**",
        "**/bench/**",
        // Browser code: measured by Karma (media-server/karma.conf.cjs).
        "media-server/src/client/**",
        // Browser code, bundled for the page and exercised by the console's Chromium tests.
        "console/src/client/**",
      ],
      // The console gets one short table (coverage-totals-reporter.ts); the text summary goes to a file.
      reporter: ["html", "lcovonly", ["text-summary", { file: "summary.txt" }], "json-summary"],
      // The coverage of the whole `npm test`, so it can't silently fall: measured once, on 2026-12-02
      // (1,118 tests: 88.30 / 75.76 / 88.54 / 86.07 % lines / branches / functions / statements), rounded
      // down, less one point for the paths that depend on timing (retries, timeouts, a slower machine).
      thresholds: { lines: 87, branches: 74, functions: 87, statements: 85 },
      // The report of a failing run is still worth publishing (and checking).
      reportOnFailure: true,
    },
    projects: workspaces.map((dir) => `${dir}/vitest.config.ts`),
  },
});
