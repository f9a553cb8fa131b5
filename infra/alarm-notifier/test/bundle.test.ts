import { mkdtempSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildLambdaBundle } from "../src/build-bundle.js";
import { LAMBDA_BUNDLE_DIR, LAMBDA_HANDLER, PACKAGE_DIR } from "../src/bundle.js";

// The code the Pulumi program uploads: one module that loads on its own and exports the handler
// Lambda is told to call.

const out = mkdtempSync(join(tmpdir(), "alarm-notifier-bundle-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("the Lambda bundle", () => {
  it("is one self-contained module exporting the configured handler", async () => {
    const file = await buildLambdaBundle(out);
    expect(statSync(file).size).toBeGreaterThan(10_000);
    const [module, exported] = LAMBDA_HANDLER.split(".");
    expect(file).toBe(join(out, `${module}.mjs`));
    // Node's own loader, as Lambda's: require() of an ES module, outside vitest's transforms.
    const loaded = createRequire(import.meta.url)(file) as Record<string, unknown>;
    const handler = loaded[exported!] as (event: unknown) => Promise<unknown>;
    await expect(handler({ Records: "nope" })).rejects.toThrow(/not an SNS event/);
  }, 60_000);

  it("goes where the Pulumi program takes it from", () => {
    expect(LAMBDA_BUNDLE_DIR).toBe(join(PACKAGE_DIR, "dist", "lambda"));
    expect(PACKAGE_DIR.endsWith(join("infra", "alarm-notifier"))).toBe(true);
  });
});
