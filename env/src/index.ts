export * from "./alarms.js";
export * from "./deployment.js";
export * from "./load.js";
export * from "./names.js";
export * from "./routes.js";
export * from "./runtime-env.js";
export * from "./schema.js";
export * from "./task-definition.js";
