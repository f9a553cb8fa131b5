// Test support for anything that runs against a local region: a region in a temp folder (in this
// process or a child), ECS with a test image behind the load balancer, and the waits around them.

export { AWS_CLI, awsCli } from "./aws-cli.js";
export { type Backend, startBackend } from "./backend.js";
export { type ChildRegion, startChildRegion } from "./child-region.js";
export {
  type Answer,
  CLUSTER,
  EcsTestRegion,
  type EcsTestRegionOptions,
  type LoadResult,
  type ShiftingApp,
  type TestApp,
  testTargetGroup,
} from "./ecs-region.js";
export { confirmationLink, type Mail, parseMail, readOutbox } from "./outbox.js";
export { freePort, freePorts } from "./ports.js";
export { exited, killByPid, type RunOptions, type RunResult, runNode, waitForOutput } from "./processes.js";
export { startTestRegion, type TestRegion } from "./region.js";
export { newestServiceDeployment } from "./service-deployments.js";
export { pushPackedImage, testImage } from "./test-image.js";
export { sleep, waitFor } from "./wait.js";
