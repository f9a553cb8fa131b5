import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cp, mkdtemp, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

// A throwaway repository holding a copy of fixture-app (build:assets writes into it) with the
// real node_modules linked in, so better-sqlite3 resolves as it does in the monorepo.

export async function fixtureRepo(appName = "fixture-app"): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "image-fixture-"));
  await cp(join(import.meta.dirname, "fixture-app"), join(root, appName), { recursive: true });
  await symlink(join(import.meta.dirname, "..", "..", "..", "node_modules"), join(root, "node_modules"));
  return root;
}

/** Makes the fixture repository a git checkout with one commit; returns the commit. */
export function commitAll(root: string): string {
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.email=ci@example.com", "-c", "user.name=ci", ...args], {
      cwd: root,
      encoding: "utf8",
    });
  git("init", "--quiet");
  // The generated asset and the linked node_modules are not sources.
  writeFileSync(join(root, ".gitignore"), "node_modules\n**/public/generated.txt\n");
  git("add", "-A");
  git("commit", "--quiet", "-m", "fixture");
  return git("rev-parse", "HEAD").trim();
}

export const cleanRevision = {
  commit: "0123456789abcdef0123456789abcdef01234567",
  shortCommit: "0123456789ab",
  dirty: false,
};
