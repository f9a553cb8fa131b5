export { loadConfig } from "./config.js";
export type { Service } from "./service.js";
export { startService } from "./service.js";
