import path from "node:path";
import { build } from "esbuild";
import { mediaServerDir } from "./server.js";

/** The same bundle `npm run build:assets` writes, so the tests run the page users get. */
export async function buildAssets(): Promise<void> {
  await build({
    entryPoints: [path.join(mediaServerDir, "src/client/demo.ts")],
    bundle: true,
    format: "esm",
    target: "chrome110",
    sourcemap: true,
    outfile: path.join(mediaServerDir, "public/demo.js"),
    logLevel: "silent",
  });
}
