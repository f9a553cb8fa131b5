import { spawn } from "node:child_process";
import path from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { istanbulPlugin } from "./helpers/istanbul-plugin.js";
import { mediaServerDir, startTestServer } from "./helpers/server.js";

type Server = Awaited<ReturnType<typeof startTestServer>>;

/** Karma is how the team tests front-end code; this runs it so the root `npm test` does too. */
describe("browser client specs (Karma, headless Chromium)", () => {
  let server: Server;
  beforeAll(async () => {
    server = await startTestServer();
    await build({
      entryPoints: [path.join(mediaServerDir, "test/browser/client.spec.ts")],
      bundle: true,
      format: "iife",
      target: "chrome110",
      outfile: path.join(mediaServerDir, ".fixtures/karma/specs.js"),
      plugins: [istanbulPlugin(path.join(mediaServerDir, "src/client"))],
      logLevel: "silent",
    });
  });
  afterAll(() => server.close());

  it("passes every spec", async () => {
    const karma = spawn(
      process.execPath,
      [
        karmaBin(),
        "start",
        "karma.conf.cjs",
        "--single-run",
        "--no-auto-watch",
        "--no-colors",
        "--port",
        "0",
      ],
      {
        cwd: mediaServerDir,
        env: {
          ...process.env,
          CHROME_BIN: process.env.CHROME_BIN ?? "/usr/bin/chromium",
          KURENTO_WS_URL: `${server.url.replace(/^http/, "ws")}/kurento`,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    karma.stdout.on("data", (c: Buffer) => (output += c.toString()));
    karma.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => karma.on("exit", resolve));
    expect(output).toMatch(/Executed (\d+) of \1 SUCCESS/);
    expect(output).not.toMatch(/FAILED/);
    // Karma also exits 1 when the client's coverage falls below karma.conf.cjs's thresholds: say so.
    expect(code, output.match(/.*does not meet global threshold.*/g)?.join("\n") ?? output).toBe(0);
  }, 120_000);
});

function karmaBin(): string {
  return path.join(mediaServerDir, "../node_modules/karma/bin/karma");
}
