import type { ECRClient } from "@aws-sdk/client-ecr";
import { repositoryUri, taggedDigest } from "@platform/image-format";
import { type BuiltAppImage, buildAppImage, formatBytes } from "./build-app.js";
import { type CommandRunner, dockerBuildAndPush } from "./docker.js";
import { ImageError } from "./errors.js";
import { type SourceRevision, sourceRevision } from "./git.js";
import type { PromoteProgress } from "./promote.js";
import { type PushProgress, pushImage } from "./push.js";
import { readAppManifest } from "./recipe.js";
import { validateTag } from "./reference.js";
import { describeTarget, ecrClient, type Target } from "./target.js";

// `npm run image`: build an app image and push it to `<app>-<env>` on the target.

export interface PublishRequest {
  repoRoot: string;
  app: string;
  /** The repository is `<app>-<env>`; required when pushing. */
  repositoryName?: string;
  /** Explicit tag; the default is the commit (with a content suffix when dirty). */
  tag?: string;
  push: boolean;
  target: Target;
  stageDir?: string;
  revision?: SourceRevision;
  buildTime?: Date;
  log: (line: string) => void;
  /** For tests: the ECR client to use instead of one made from the target. */
  ecr?: ECRClient;
  /** For tests: runs docker instead of spawning it. */
  run?: CommandRunner;
}

export interface PublishResult {
  app: string;
  version: string;
  commit: string;
  buildTime: string;
  tag: string;
  imageDigest: string;
  repositoryName?: string;
  imageUri?: string;
  pinnedUri?: string;
  pushed: boolean;
  /** The tag was already in the repository with this image: nothing was built or uploaded again. */
  alreadyExisted: boolean;
}

export async function publishAppImage(request: PublishRequest): Promise<PublishResult> {
  if (request.tag !== undefined) validateTag(request.tag);
  if (request.push && !request.repositoryName)
    throw new ImageError("pushing needs --env: the repository is <app>-<env>");
  const { log } = request;
  if (request.push) log(`target: ${describeTarget(request.target)}`);
  const ecr = request.push ? (request.ecr ?? ecrClient(request.target)) : undefined;
  const revision = request.revision ?? sourceRevision(request.repoRoot);

  if (ecr && request.repositoryName && request.tag === undefined && !revision.dirty) {
    const existing = await existingImage(ecr, request, revision, revision.shortCommit);
    if (existing) return existing;
  }
  if (request.push && request.target.kind === "aws") return dockerPath(ecr!, request, revision);

  const built = await buildAppImage({
    repoRoot: request.repoRoot,
    app: request.app,
    revision,
    onProgress: log,
    ...(request.buildTime && { buildTime: request.buildTime }),
    ...(request.stageDir && { stageDir: request.stageDir }),
  });
  const tag = request.tag ?? built.tag;
  const base = summary(built, tag);
  if (!ecr || !request.repositoryName) return base;
  if (request.tag === undefined) {
    const existing = await existingImage(ecr, request, revision, tag);
    if (existing) return existing;
  }
  const started = Date.now();
  log(`pushing ${request.repositoryName}:${tag}`);
  const pushed = await pushImage(ecr, request.repositoryName, tag, built.image, {
    onProgress: pushLogger(log),
  });
  log(
    pushed.alreadyExisted
      ? `${request.repositoryName}:${tag} already holds this image`
      : `pushed ${request.repositoryName}:${tag} (${formatBytes(pushed.uploadedBytes)} uploaded, ${pushed.skippedBlobs} blobs already there) in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  return {
    ...base,
    repositoryName: request.repositoryName,
    imageUri: pushed.imageUri,
    pinnedUri: pushed.pinnedUri,
    pushed: true,
    alreadyExisted: pushed.alreadyExisted,
  };
}

function summary(built: BuiltAppImage, tag: string): PublishResult {
  return {
    app: built.app,
    version: built.version,
    commit: built.revision.commit,
    buildTime: built.buildTime,
    tag,
    imageDigest: built.image.manifestDigest,
    pushed: false,
    alreadyExisted: false,
  };
}

/** A default (commit-derived) tag that is already pushed names the same source: reuse it. */
async function existingImage(
  ecr: ECRClient,
  request: PublishRequest,
  revision: SourceRevision,
  tag: string,
): Promise<PublishResult | undefined> {
  const repositoryName = request.repositoryName!;
  const digest = await taggedDigest(ecr, repositoryName, tag);
  if (!digest) return undefined;
  const uri = await repositoryUri(ecr, repositoryName);
  request.log(`${repositoryName}:${tag} is already pushed (${digest}): not building it again`);
  const manifest = await readAppManifest(`${request.repoRoot}/${request.app}`);
  return {
    app: request.app,
    version: manifest.version,
    commit: revision.commit,
    // The build time is in the pushed image's config; this run built nothing.
    buildTime: "",
    tag,
    imageDigest: digest,
    repositoryName,
    imageUri: `${uri}:${tag}`,
    pinnedUri: `${uri}@${digest}`,
    pushed: true,
    alreadyExisted: true,
  };
}

async function dockerPath(
  ecr: ECRClient,
  request: PublishRequest,
  revision: SourceRevision,
): Promise<PublishResult> {
  if (revision.dirty && request.tag === undefined) {
    throw new ImageError(
      "the working tree has uncommitted changes: commit them (the tag is the commit) or pass --tag to push to AWS",
    );
  }
  const manifest = await readAppManifest(`${request.repoRoot}/${request.app}`);
  const tag = request.tag ?? revision.shortCommit;
  const buildTime = (request.buildTime ?? new Date()).toISOString();
  request.log(`docker build ${request.app}/Dockerfile → ${request.repositoryName}:${tag}`);
  const pushed = await dockerBuildAndPush(
    ecr,
    {
      repoRoot: request.repoRoot,
      app: request.app,
      repositoryName: request.repositoryName!,
      tag,
      version: manifest.version,
      commit: revision.commit,
      buildTime,
    },
    { onLine: (line) => request.log(`  ${line}`), ...(request.run && { run: request.run }) },
  );
  return {
    app: request.app,
    version: manifest.version,
    commit: revision.commit,
    buildTime,
    tag,
    imageDigest: pushed.imageDigest,
    repositoryName: request.repositoryName!,
    imageUri: pushed.imageUri,
    pinnedUri: pushed.pinnedUri,
    pushed: true,
    alreadyExisted: false,
  };
}

/** Progress lines while pushing: one per uploaded part, one per blob already in the registry. */
export function pushLogger(log: (line: string) => void): (event: PushProgress | PromoteProgress) => void {
  return (event) => {
    const short = `${event.digest.slice(0, 19)}…`;
    if (event.kind === "blob-download")
      log(`  ${short} copying from the source repository (${formatBytes(event.size)})`);
    if (event.kind === "blob-exists")
      log(`  ${short} already in the repository (${formatBytes(event.size)})`);
    if (event.kind === "blob-upload")
      log(`  ${short} ${formatBytes(event.uploaded)} / ${formatBytes(event.size)}`);
  };
}
