import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { ECRClient } from "@aws-sdk/client-ecr";
import type { AppName } from "@platform/env";
import { packImage, repositoryUri, taggedDigest } from "@platform/image-format";
import { buildAppImage, pushImage, sourceRevision } from "../image/index.js";

// The two app images for `npm start`: built with the image library and pushed to the local
// repositories through the ECR API, only when the sources changed. The tag says which
// sources: the commit for a clean tree, the commit plus a hash of the app's sources otherwise.

const SKIPPED = new Set(["node_modules", "dist", ".git", "coverage", ".local-region", "data"]);

/**
 * A hash of the files an app image is built from: the app folder and the env workspace it bundles,
 * as git sees them (tracked and untracked, ignored files left out, so build outputs don't count).
 */
export function sourceHash(repoRoot: string, app: AppName): string {
  const hash = createHash("sha256");
  const files =
    gitFiles(repoRoot, [app, "env"]) ?? [app, "env"].flatMap((dir) => listFiles(join(repoRoot, dir)));
  for (const file of files) {
    let content: Buffer;
    try {
      content = readFileSync(file);
    } catch {
      continue; // deleted in the working tree
    }
    hash.update(relative(repoRoot, file)).update("\0").update(content).update("\0");
  }
  return hash.digest("hex").slice(0, 12);
}

function gitFiles(repoRoot: string, dirs: string[]): string[] | undefined {
  const out = spawnSync(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ...dirs],
    {
      cwd: repoRoot,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (out.status !== 0) return undefined;
  return [...new Set(out.stdout.split("\0").filter(Boolean))].sort().map((f) => join(repoRoot, f));
}

function listFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    if (SKIPPED.has(name)) return [];
    const path = join(dir, name);
    const info = statSync(path);
    return info.isDirectory() ? listFiles(path) : info.isFile() ? [path] : [];
  });
}

export function imageTag(repoRoot: string, app: AppName): string {
  const revision = sourceRevision(repoRoot);
  if (!revision.dirty) return revision.shortCommit;
  const prefix = revision.shortCommit === "unknown" ? "dev" : `${revision.shortCommit}-dirty`;
  return `${prefix}-src${sourceHash(repoRoot, app)}`;
}

export interface AppImage {
  app: AppName;
  tag: string;
  /** Image URI per repository (`<app>-qa`, `<app>-prod`), pinned by tag. */
  uris: Record<string, string>;
  built: boolean;
  /** Set when the app could not be built and a placeholder stands in for it. */
  placeholderBecause?: string;
}

/** Builds and pushes the app to each repository unless every one already has this tag. */
export async function ensureAppImage(
  ecr: ECRClient,
  repoRoot: string,
  app: AppName,
  repositories: string[],
  say: (line: string) => void,
): Promise<AppImage> {
  const tag = imageTag(repoRoot, app);
  const uris: Record<string, string> = {};
  const missing: string[] = [];
  for (const repo of repositories) {
    if (await taggedDigest(ecr, repo, tag)) uris[repo] = `${await repositoryUri(ecr, repo)}:${tag}`;
    else missing.push(repo);
  }
  if (missing.length === 0) return { app, tag, uris, built: false };
  say(`building ${app} image ${tag}`);
  let image: Awaited<ReturnType<typeof packImage>>;
  let pushedTag = tag;
  let placeholderBecause: string | undefined;
  try {
    image = (await buildAppImage({ repoRoot, app, onProgress: (line) => say(`  ${line}`) })).image;
  } catch (error) {
    // The app can't be built yet: a placeholder that answers the health check keeps the platform up.
    placeholderBecause = (error as Error).message.split("\n")[0];
    say(`  ${app} did not build (${placeholderBecause}); deploying a placeholder image`);
    image = await placeholderImage(app);
    pushedTag = `placeholder-${image.manifestDigest.slice(7, 19)}`;
  }
  for (const repo of repositories) {
    if (uris[repo] && pushedTag === tag) continue;
    const pushed = await pushImage(ecr, repo, pushedTag, image);
    uris[repo] = pushed.imageUri;
    say(`  pushed ${repo}:${pushedTag}`);
  }
  return { app, tag: pushedTag, uris, built: true, ...(placeholderBecause ? { placeholderBecause } : {}) };
}

const PLACEHOLDER = `
const http = require("node:http");
const health = new Set(["/healthz", "/media/healthz"]);
let draining = false;
const server = http.createServer((req, res) => {
  const path = (req.url || "/").split("?")[0];
  if (health.has(path)) { res.writeHead(draining ? 503 : 200); return res.end(draining ? "draining" : "ok"); }
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ app: process.env.APP_NAME, placeholder: true, message: "this app's image did not build; see npm start's output" }));
});
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => { draining = true; server.close(() => process.exit(0)); setTimeout(() => process.exit(0), 5000).unref(); });
`;

function placeholderImage(app: AppName) {
  return packImage({
    files: [{ path: "app/main.js", content: PLACEHOLDER }],
    config: {
      Cmd: ["node", "main.js"],
      WorkingDir: "/app",
      Env: [`APP_NAME=${app}`],
      Labels: { placeholder: "true" },
    },
  });
}
