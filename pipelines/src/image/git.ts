import { spawnSync } from "node:child_process";

export interface SourceRevision {
  /** Full commit sha, plus `-dirty` when the working tree has changes. */
  commit: string;
  /** The first 12 hex digits of the commit. */
  shortCommit: string;
  dirty: boolean;
}

/** Reads HEAD and whether the tree has changes; "unknown" outside a git checkout. */
export function sourceRevision(repoRoot: string): SourceRevision {
  const head = git(repoRoot, ["rev-parse", "HEAD"]);
  if (!head || !/^[0-9a-f]{40}$/.test(head))
    return { commit: "unknown", shortCommit: "unknown", dirty: true };
  const status = git(repoRoot, ["status", "--porcelain", "--untracked-files=normal"]);
  const dirty = status === undefined || status.length > 0;
  return { commit: dirty ? `${head}-dirty` : head, shortCommit: head.slice(0, 12), dirty };
}

function git(cwd: string, args: string[]): string | undefined {
  const out = spawnSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  return out.status === 0 ? out.stdout.trim() : undefined;
}

/**
 * The default tag: the short commit for a clean tree. A dirty tree's image gets a suffix from its
 * content, so two different uncommitted states never claim the same immutable tag.
 */
export function defaultTag(revision: SourceRevision, contentDigest: string): string {
  if (!revision.dirty) return revision.shortCommit;
  const hash = contentDigest.replace(/^sha256:/, "").slice(0, 12);
  return revision.shortCommit === "unknown" ? `dev-${hash}` : `${revision.shortCommit}-dirty-${hash}`;
}
