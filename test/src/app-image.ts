import type { ECRClient } from "@aws-sdk/client-ecr";
import { buildAppImage, type PushResult, pushImage } from "@platform/pipelines/image/index";
import { REPO_ROOT } from "./region-process.js";

/**
 * A new image of an app, built from the working tree like the pipeline builds it, but recording a
 * commit of its own: a different image config, so a different digest, that `/api/v1/version` and
 * `/media/version` name. Pushed to `repository` under `tag`.
 */
export async function pushAppVariant(
  ecr: ECRClient,
  app: "api" | "media-server",
  repository: string,
  commit: string,
): Promise<PushResult> {
  const built = await buildAppImage({
    repoRoot: REPO_ROOT,
    app,
    revision: { commit, shortCommit: commit.slice(0, 12), dirty: false },
  });
  return pushImage(ecr, repository, commit, built.image);
}
