import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../src/region-process.js";

// `npm run coverage:zip` packs what `npm test` wrote under coverage/ for TeamCity's Code Coverage tab,
// which opens coverage.zip!index.html. The archive is read back with Python's zipfile, not our library.

const run = promisify(execFile);
const zipScript = join(REPO_ROOT, "scripts/coverage-zip.ts");

const summary = (pct: number) =>
  JSON.stringify({
    total: Object.fromEntries(
      ["lines", "branches", "functions", "statements"].map((m) => [m, { total: 10, covered: 5, pct }]),
    ),
  });

describe("coverage:zip", () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "coverage-zip-"));
    for (const [dir, pct] of [
      ["node", 81.22],
      ["browser", 93.4],
    ] as const) {
      await mkdir(join(scratch, "coverage", dir, "src"), { recursive: true });
      await writeFile(join(scratch, "coverage", dir, "index.html"), `<html>${dir}</html>`);
      await writeFile(join(scratch, "coverage", dir, "src", "a.ts.html"), "<html>a</html>");
      await writeFile(join(scratch, "coverage", dir, "coverage-summary.json"), summary(pct));
    }
    // vitest's raw V8 dumps while a run is going on: not part of the report.
    await mkdir(join(scratch, "coverage", "node", ".tmp"));
    await writeFile(join(scratch, "coverage", "node", ".tmp", "coverage-0.json"), "{}");
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it("packs both runners' reports under an index.html that links them with their totals", async () => {
    const zip = join(scratch, "coverage.zip");
    await run(process.execPath, [zipScript, "--from", join(scratch, "coverage"), "--to", zip]);
    const { stdout: listing } = await run("python3", [
      "-c",
      "import sys, zipfile; print('\\n'.join(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))",
      zip,
    ]);
    expect(listing.trim().split("\n")).toEqual([
      "browser/coverage-summary.json",
      "browser/index.html",
      "browser/src/a.ts.html",
      "index.html",
      "node/coverage-summary.json",
      "node/index.html",
      "node/src/a.ts.html",
    ]);
    const { stdout: index } = await run("python3", [
      "-c",
      "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read('index.html').decode())",
      zip,
    ]);
    expect(index).toContain('<a href="node/index.html">node</a></td><td>81.22 %</td>');
    expect(index).toContain('<a href="browser/index.html">browser</a></td><td>93.40 %</td>');
  });

  it("fails with a clear message when there is no report to pack", async () => {
    const failure = await run(process.execPath, [zipScript, "--from", join(scratch, "none")]).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain(
      `no HTML coverage report under ${join(scratch, "none")} (run "npm test" first)`,
    );
  });
});
