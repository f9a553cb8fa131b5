// Karma runs the browser client's specs (test/browser/*.spec.ts, bundled by the vitest wrapper into
// .fixtures/karma/specs.js) in Debian's headless Chromium with a fake camera. The client's sources in
// that bundle carry Istanbul's counters (test/helpers/istanbul-plugin.ts); the coverage reporter writes
// them to the repository's coverage/browser/ and the JUnit reporter to reports/karma/, beside vitest's.
module.exports = (config) => {
  config.set({
    frameworks: ["jasmine"],
    files: [".fixtures/karma/specs.js"],
    browsers: ["ChromiumHeadlessFake"],
    customLaunchers: {
      ChromiumHeadlessFake: {
        base: "ChromeHeadless",
        flags: [
          "--no-sandbox",
          "--use-fake-ui-for-media-stream",
          "--use-fake-device-for-media-stream=fps=30",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--no-first-run",
          "--disable-sync",
        ],
      },
    },
    client: { args: [process.env.KURENTO_WS_URL], jasmine: { random: false } },
    listenAddress: "127.0.0.1",
    hostname: "127.0.0.1",
    port: 9876,
    singleRun: true,
    reporters: ["progress", "coverage", "junit"],
    coverageReporter: {
      dir: "../coverage/browser",
      subdir: ".",
      reporters: [
        { type: "html" },
        { type: "lcovonly", file: "lcov.info" },
        { type: "text-summary", file: "summary.txt" },
        { type: "json-summary", file: "coverage-summary.json" },
      ],
      // The coverage measured on 2026-12-02, rounded down, so it can't silently fall. The specs drive a
      // live WebRTC session whose callbacks don't all fire every run: 7 runs of 9 measured 93.40 / 66.66 /
      // 85.71 / 90.29 % (lines / branches / functions / statements), two 89.32 % statements and 82.14 %
      // functions (one function fewer); the thresholds sit under those.
      check: { global: { lines: 90, branches: 64, functions: 82, statements: 89 } },
    },
    junitReporter: { outputDir: "../reports/karma", outputFile: "junit.xml", useBrowserName: false },
    browserNoActivityTimeout: 60000,
    captureTimeout: 60000,
  });
};
