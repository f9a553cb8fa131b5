// Karma runs the browser client's specs (test/browser/*.spec.ts, bundled by the vitest wrapper into
// .fixtures/karma/specs.js) in Debian's headless Chromium with a fake camera.
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
    reporters: ["progress"],
    browserNoActivityTimeout: 60000,
    captureTimeout: 60000,
  });
};
