import { fileURLToPath } from "node:url";

// Where `npm run bundle -w @platform/alarm-notifier` writes the Lambda's code (one ES module, its
// dependencies inside), for the Pulumi program to upload.

/** The folder Lambda's code archive is made of. */
export const LAMBDA_BUNDLE_DIR = fileURLToPath(new URL("../lambda/", import.meta.url));
/** `<file>.<export>` in that folder. */
export const LAMBDA_HANDLER = "index.handler";
