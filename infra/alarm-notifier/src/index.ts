export * from "./bundle.js";
export * from "./config.js";
export * from "./console-url.js";
export * from "./format.js";
export * from "./handler.js";
export * from "./http-subscriber.js";
export * from "./message.js";
