// Packs the coverage reports `npm test` wrote (coverage/node from vitest, coverage/browser from Karma)
// into coverage.zip with an index.html at its root: TeamCity's Code Coverage tab shows
// coverage.zip!index.html when the build publishes that artifact.
//   node scripts/coverage-zip.ts [--from coverage] [--to coverage.zip]
import { createWriteStream, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import yazl from "yazl";

const METRICS = ["lines", "branches", "functions", "statements"] as const;

interface Report {
  /** The report's folder under coverage/, e.g. "node". */
  dir: string;
  totals: Record<(typeof METRICS)[number], { pct: number }> | undefined;
}

const { values } = parseArgs({
  options: { from: { type: "string", default: "coverage" }, to: { type: "string", default: "coverage.zip" } },
});
const from = path.resolve(values.from);
const to = path.resolve(values.to);

const reports = findReports(from);
if (reports.length === 0) {
  process.stderr.write(`coverage:zip: no HTML coverage report under ${from} (run "npm test" first)\n`);
  process.exit(1);
}

const zip = new yazl.ZipFile();
for (const report of reports) {
  for (const file of filesUnder(path.join(from, report.dir))) {
    zip.addFile(path.join(from, file), file.split(path.sep).join("/"));
  }
}
zip.addBuffer(Buffer.from(landingPage(reports)), "index.html");
zip.end();
await new Promise<void>((resolve, reject) => {
  const out = createWriteStream(to);
  out.on("close", resolve).on("error", reject);
  zip.outputStream.on("error", reject).pipe(out);
});
process.stdout.write(`coverage:zip: ${to} (${reports.map((r) => r.dir).join(", ")})\n`);

/** Each folder of `root` holding an HTML report (index.html), with its totals when a summary is beside it. */
function findReports(root: string): Report[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(root, entry.name, "index.html")))
    .map((entry) => ({
      dir: entry.name,
      totals: readTotals(path.join(root, entry.name, "coverage-summary.json")),
    }))
    .sort((a, b) => a.dir.localeCompare(b.dir));
}

function readTotals(summaryFile: string): Report["totals"] {
  if (!existsSync(summaryFile)) return undefined;
  return (JSON.parse(readFileSync(summaryFile, "utf8")) as { total: Report["totals"] }).total;
}

/** Paths relative to the coverage folder, skipping vitest's raw V8 dumps (.tmp). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => !file.split(path.sep).some((part) => part.startsWith(".")))
    .filter((file) => statSync(path.join(dir, file)).isFile())
    .map((file) => path.join(path.basename(dir), file));
}

function landingPage(found: Report[]): string {
  const header = METRICS.map((m) => `<th>${m}</th>`).join("");
  const rows = found
    .map((r) => {
      const cells = METRICS.map((m) => `<td>${r.totals ? `${r.totals[m].pct.toFixed(2)} %` : "–"}</td>`).join(
        "",
      );
      return `<tr><td><a href="${r.dir}/index.html">${r.dir}</a></td>${cells}</tr>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Coverage</title>
<style>body{font-family:sans-serif}td,th{padding:4px 12px;text-align:right}td:first-child{text-align:left}</style>
</head><body><h1>Coverage</h1>
<p>node: vitest (V8) over the workspaces' Node code; browser: Karma (Istanbul) over the media server's browser client.</p>
<table><tr><th>report</th>${header}</tr>
${rows}
</table></body></html>
`;
}
