import { mkdir, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ImageError } from "./errors.js";

/**
 * ESM output still meets CommonJS dependencies that call `require`; Node gives ESM no `require`,
 * so the bundle makes one. The alias avoids clashing with a bundled `createRequire` import.
 */
export const CREATE_REQUIRE_BANNER =
  'import { createRequire as __imageCreateRequire } from "node:module";\n' +
  "const require = __imageCreateRequire(import.meta.url);";

export interface BundleResult {
  /** Bytes of main.js. */
  size: number;
  /** How many source files went in. */
  inputs: number;
  warnings: string[];
}

/**
 * Bundles the app's entry into `<outDir>/main.js` (+ main.js.map): platform node, ESM, node24.
 * Paths in the source map are relative to the app folder, so the bundle does not depend on where it
 * was built (same source, same bytes, same layer digest).
 */
export async function bundleEntry(
  appDir: string,
  entry: string,
  outDir: string,
  external: string[],
): Promise<BundleResult> {
  const { build } = await import("esbuild");
  const virtualOut = join(appDir, "main.js");
  let result: Awaited<ReturnType<typeof build>>;
  try {
    result = await build({
      entryPoints: [join(appDir, entry)],
      outfile: virtualOut,
      write: false,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node24",
      sourcemap: true,
      metafile: true,
      external,
      banner: { js: CREATE_REQUIRE_BANNER },
      logLevel: "silent",
    });
  } catch (error) {
    const errors = (
      error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }
    ).errors;
    const first = errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}: ` : "";
    throw new ImageError(`bundling ${entry} failed: ${where}${first?.text ?? (error as Error).message}`);
  }
  await mkdir(outDir, { recursive: true });
  let size = 0;
  for (const file of result.outputFiles ?? []) {
    const name = basename(file.path);
    if (dirname(file.path) !== appDir)
      throw new ImageError(`esbuild wrote an unexpected output ${file.path}`);
    await writeFile(join(outDir, name), file.contents);
    if (name === "main.js") size = file.contents.length;
  }
  return {
    size,
    inputs: Object.keys(result.metafile?.inputs ?? {}).length,
    warnings: result.warnings.map((w) =>
      w.location ? `${w.location.file}:${w.location.line}: ${w.text}` : w.text,
    ),
  };
}
