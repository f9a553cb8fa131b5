import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { mediaServerDir } from "./server.js";

export const compatDir = path.join(mediaServerDir, "test/kurento-compat");

/**
 * kurento-client 7.3 lives in a folder of its own: it needs the registry's reconnect-ws (an npm
 * override) and its postinstall script is missing from the package, so it is installed with
 * --ignore-scripts and never becomes a workspace dependency. Idempotent: installs only when absent.
 */
export function ensureKurentoClient(): void {
  if (existsSync(path.join(compatDir, "node_modules/kurento-client/package.json"))) return;
  execFileSync("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: compatDir,
    stdio: "inherit",
    timeout: 180_000,
  });
}

// biome-ignore lint/suspicious/noExplicitAny: kurento-client ships no types
export type Kurento = any;

export function loadKurentoClient(): Kurento {
  ensureKurentoClient();
  return createRequire(path.join(compatDir, "package.json"))("kurento-client");
}
