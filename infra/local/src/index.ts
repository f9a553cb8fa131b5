// The local region's public entry: start a region, plug ECS and CloudWatch Logs into it, read its
// credentials. Test support (temp regions, test images, waits) is the `./testing` entry.
export type {
  ImageConfig,
  ImageRegistry,
  RegionPlugin,
  RegionServices,
  ResolvedImage,
  SecretValues,
  TargetGroups,
} from "./contracts.js";
// The tag that makes an HTTP rule follow the HTTPS rule whose weights ECS moves (`npm start` sets it).
export { TWIN_TAG } from "./contracts.js";
export { PROFILE, type RegionCredentials } from "./credentials.js";
export { LOCAL_ACCOUNT_ID, type RegionHandle, type StartRegionOptions, startRegion } from "./region.js";
export { EcsPlugin, type EcsPluginOptions } from "./services/ecs/plugin.js";
export { type LogSink, LogsPlugin } from "./services/logs/plugin.js";
export { type SmtpOptions, smtpFromUrl } from "./services/sns/smtp.js";
