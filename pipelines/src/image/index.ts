// The image library: build an app into an image (the format is @platform/image-format), push it
// through the ECR API, promote it to another repository under the same digest.
export * from "./build-app.js";
export * from "./bundle.js";
export * from "./docker.js";
export * from "./errors.js";
export * from "./git.js";
export * from "./native.js";
export * from "./promote.js";
export * from "./publish.js";
export * from "./push.js";
export * from "./recipe.js";
export * from "./reference.js";
export * from "./repo-root.js";
export * from "./target.js";
