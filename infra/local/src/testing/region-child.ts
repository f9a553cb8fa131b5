import { startRegion } from "../region.js";

// The script behind startChildRegion(): a region in a process of its own (a kill -9 must not take
// the test with it). Prints its endpoint as one JSON line, then runs until SIGTERM or a kill.

const [stateDir = ".local-region-child"] = process.argv.slice(2);
const region = await startRegion({
  stateDir,
  awsEndpointPort: 0,
  log: (m) => process.stderr.write(`${m}\n`),
});
process.stdout.write(`${JSON.stringify({ endpoint: region.endpoint })}\n`);
process.on("SIGTERM", () => {
  void region.stop().then(() => process.exit(0));
});
