import { readFile } from "node:fs/promises";
import path from "node:path";
import { type Plugin, transform } from "esbuild";
import { createInstrumenter } from "istanbul-lib-instrument";

/**
 * An esbuild plugin that adds Istanbul's counters to the files under `sourceDir` as they are bundled.
 * The specs are bundled into one file with the client, so instrumenting that file in Karma would count
 * the specs as code under test; instrumenting here counts only the client. The counters end up in
 * `window.__coverage__`, which Karma's coverage reporter collects and maps back to the .ts sources.
 */
export function istanbulPlugin(sourceDir: string): Plugin {
  const instrumenter = createInstrumenter({ esModules: true, produceSourceMap: true });
  const inside = `${path.resolve(sourceDir)}${path.sep}`;
  return {
    name: "istanbul",
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (!args.path.startsWith(inside)) return undefined;
        const source = await readFile(args.path, "utf8");
        const js = await transform(source, {
          loader: "ts",
          format: "esm",
          sourcemap: true,
          sourcefile: args.path,
        });
        const contents = instrumenter.instrumentSync(js.code, args.path, JSON.parse(js.map));
        return { contents, loader: "js" };
      });
    },
  };
}
