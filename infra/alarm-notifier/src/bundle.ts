import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// Where `npm run bundle -w @platform/alarm-notifier` writes the Lambda's code (one ES module with its
// dependencies inside), for the Pulumi program to upload.

const here = dirname(fileURLToPath(import.meta.url));
/** This workspace's folder, whether this file runs compiled (dist/src) or as source (src). */
export const PACKAGE_DIR = here.split("/").includes("dist") ? resolve(here, "../..") : resolve(here, "..");
/** The folder Lambda's code archive is made of. */
export const LAMBDA_BUNDLE_DIR = join(PACKAGE_DIR, "dist", "lambda");
/** `<file>.<export>` in that folder. */
export const LAMBDA_HANDLER = "index.handler";
