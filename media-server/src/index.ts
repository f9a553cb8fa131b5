// What other workspaces may use: start a media server in-process (e.g. cross-workspace tests).
export { loadConfig, type ServerConfig } from "./config.js";
export { type RunningServer, startServer } from "./server.js";
