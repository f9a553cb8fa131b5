import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

// The page's script and styles, bundled in memory from src/client when the console starts: no build
// step to forget, and what is served is always what the source says.

export interface Assets {
  "app.js": string;
  "app.css": string;
}

const here = dirname(fileURLToPath(import.meta.url));
// src/server when run from source, dist/src/server when compiled.
const root = resolve(here, here.includes(`${join("dist", "src")}`) ? "../../.." : "../..");

export async function bundleAssets(): Promise<Assets> {
  const out = await build({
    entryPoints: [join(root, "src/client/main.ts")],
    bundle: true,
    format: "esm",
    target: ["chrome110", "firefox115"],
    minify: true,
    write: false,
    outdir: "/assets",
    entryNames: "app",
    logLevel: "silent",
  });
  const text = (name: string) => out.outputFiles.find((f) => f.path.endsWith(name))?.text ?? "";
  return { "app.js": text("app.js"), "app.css": text("app.css") };
}
