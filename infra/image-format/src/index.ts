// The image format: what `docker build` produces and a registry stores. A Docker v2 schema 2
// manifest, its config blob and gzipped tar layers, all content-addressed by sha256 digest.
export * from "./digest.js";
export * from "./image-config.js";
export * from "./layer.js";
export * from "./manifest.js";
export * from "./media-types.js";
export * from "./pack.js";
