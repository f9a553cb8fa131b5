// The end-to-end helpers, for anyone who wants to drive a whole local region from a test.
export { LbClient, type LbResponse, type VersionInfo } from "./lb-client.js";
export { type Sample, startLoad } from "./load.js";
export { summarize } from "./load-summary.js";
export { LocalRegionProcess } from "./region-process.js";
