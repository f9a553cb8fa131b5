import { join } from "node:path";
import { build } from "esbuild";
import { LAMBDA_BUNDLE_DIR, PACKAGE_DIR } from "./bundle.js";

/**
 * Bundles the Lambda entry point with everything it imports, the AWS SDK included, so the function
 * runs on whatever SDK version the runtime carries. ES module output needs `require` for the few
 * CommonJS dependencies that call it.
 */
export async function buildLambdaBundle(outDir = LAMBDA_BUNDLE_DIR): Promise<string> {
  const outfile = join(outDir, "index.mjs");
  await build({
    entryPoints: [join(PACKAGE_DIR, "src", "lambda.ts")],
    outfile,
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: "warning",
  });
  return outfile;
}
