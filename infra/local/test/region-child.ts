import { startRegion } from "../src/region.js";

// A region in a child process, for the kill -9 test: prints its endpoint, then runs until killed.

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
