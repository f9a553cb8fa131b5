import { spawnSync } from "node:child_process";

// Gitflow's main branch promotes what develop's qa verified. A merge commit has another sha than the
// develop commit qa verified, but when it holds the same source tree it is the same build: git's tree
// id says so. Anything else would need a rebuild, which the prod part refuses.

export function currentBranch(repoRoot: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  // CI checks out a detached commit; the server names the branch.
  if (env.GITHUB_REF_NAME) return env.GITHUB_REF_NAME;
  const name = git(repoRoot, ["rev-parse", "--abbrev-ref", "HEAD"]);
  return name && name !== "HEAD" ? name : undefined;
}

/** Why HEAD may not promote the images built from `verified`; undefined when it holds the same source. */
export function sourceMismatch(repoRoot: string, verified: string | undefined): string | undefined {
  if (!verified)
    return "the pipeline state records no commit qa verified: run develop's stages first (--state)";
  const sha = verified.split("-dirty")[0] ?? "";
  if (!/^[0-9a-f]{7,40}$/.test(sha) || verified.includes("-dirty"))
    return `qa verified ${verified}, not a clean commit: main promotes clean builds only`;
  const tree = (rev: string) => git(repoRoot, ["rev-parse", "--verify", "--quiet", `${rev}^{tree}`]);
  const verifiedTree = tree(sha);
  if (!verifiedTree) return `qa verified commit ${verified}, which this checkout does not have`;
  if (verifiedTree !== tree("HEAD"))
    return `HEAD's source tree differs from commit ${verified.slice(0, 12)} that qa verified: merge develop as it was verified (a rebuild for prod is refused)`;
  return undefined;
}

function git(cwd: string, args: string[]): string | undefined {
  const out = spawnSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  return out.status === 0 ? out.stdout.trim() : undefined;
}
