// The image library: pack a folder into a Docker v2 schema 2 image, push it through the ECR API,
// promote it to another repository under the same digest.
export * from "./build-app.js";
export * from "./bundle.js";
export * from "./digest.js";
export * from "./docker.js";
export * from "./errors.js";
export * from "./git.js";
export * from "./image-config.js";
export * from "./layer.js";
export * from "./manifest.js";
export * from "./media-types.js";
export * from "./native.js";
export * from "./pack.js";
export * from "./promote.js";
export * from "./publish.js";
export * from "./push.js";
export * from "./recipe.js";
export * from "./reference.js";
export * from "./registry.js";
export * from "./repo-root.js";
export * from "./target.js";
