import { spawnSync } from "node:child_process";
import type { Changes } from "./notice-text.js";

// What git knows about the commits between what prod serves and what qa now serves. git runs with
// an argv (no shell); a commit from prod's answer is checked to be a sha before git sees it.

/** How many subjects a notice lists; older ones are summed up. */
export const MAX_SUBJECTS = 30;

const SHA = /^[0-9a-f]{7,40}$/;

export function changesSince(repoRoot: string, prodCommit: string | undefined, commit: string): Changes {
  if (!prodCommit) return { kind: "unknown", reason: "prod reports no commit (nothing deployed yet?)" };
  const from = plainSha(prodCommit);
  const to = plainSha(commit);
  if (!from) return { kind: "unknown", reason: `prod reports ${JSON.stringify(prodCommit)}, not a commit` };
  if (!to) return { kind: "unknown", reason: `this run's commit ${commit} is not a git commit` };
  if (git(repoRoot, ["cat-file", "-e", `${from}^{commit}`]) === undefined)
    return { kind: "unknown", reason: `prod's commit ${prodCommit} is not in this checkout's history` };
  const out = git(repoRoot, ["log", "--format=%s", `--max-count=${MAX_SUBJECTS + 1}`, `${from}..${to}`]);
  if (out === undefined) return { kind: "unknown", reason: `git log ${from}..${to} failed` };
  const subjects = out.split("\n").filter(Boolean);
  return {
    kind: "listed",
    prodCommit,
    subjects: subjects.slice(0, MAX_SUBJECTS),
    more: subjects.length > MAX_SUBJECTS,
  };
}

/** The commit's own subject line, for the notice's subject. */
export function commitSubject(repoRoot: string, commit: string): string | undefined {
  const sha = plainSha(commit);
  return sha ? git(repoRoot, ["log", "-1", "--format=%s", sha])?.trim() || undefined : undefined;
}

/** A "-dirty" build names its base commit: its changes since prod are the base commit's. */
function plainSha(commit: string): string | undefined {
  const sha = commit.split("-dirty")[0] ?? "";
  return SHA.test(sha) ? sha : undefined;
}

function git(cwd: string, args: string[]): string | undefined {
  const out = spawnSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  return out.status === 0 ? out.stdout : undefined;
}
