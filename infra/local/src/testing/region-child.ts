import { startRegion } from "../region.js";
import { LogsPlugin } from "../services/logs/plugin.js";

// The script behind startChildRegion(): a region in a process of its own (a kill -9 must not take
// the test with it). Prints its endpoint as one JSON line, then runs until SIGTERM or a kill.
// `--logs` adds CloudWatch Logs.

const [stateDir = ".local-region-child", ...flags] = process.argv.slice(2);
const region = await startRegion({
  stateDir,
  awsEndpointPort: 0,
  plugins: flags.includes("--logs") ? [new LogsPlugin()] : [],
  log: (m) => process.stderr.write(`${m}\n`),
});
process.stdout.write(`${JSON.stringify({ endpoint: region.endpoint })}\n`);
process.on("SIGTERM", () => {
  void region.stop().then(() => process.exit(0));
});
