import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

// A clean checkout of this repository's HEAD in a temporary folder, where a suite commits a broken
// change and runs the pipeline on it, as CI would run it on a pushed commit. The dependencies are
// the repository's own (symlinked: installing them again would take minutes); the checkout compiles
// its own tools once.

export class BrokenCheckout {
  private constructor(
    readonly dir: string,
    private readonly base: string,
  ) {}

  static async clone(repoRoot: string): Promise<BrokenCheckout> {
    const dir = await mkdtemp(join(tmpdir(), "broken-checkout-"));
    git(repoRoot, ["clone", "--quiet", "--shared", repoRoot, dir]);
    for (const modules of ["node_modules", "media-server/node_modules"]) {
      await symlink(join(repoRoot, modules), join(dir, modules));
    }
    const checkout = new BrokenCheckout(dir, git(dir, ["rev-parse", "HEAD"]).trim());
    try {
      execFileSync(process.execPath, [join(repoRoot, "node_modules/typescript/bin/tsc"), "-b", "pipelines"], {
        cwd: dir,
        encoding: "utf8",
        stdio: "pipe",
      });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`the checkout's tools did not compile:\n${stdout ?? ""}${stderr ?? ""}`);
    }
    return checkout;
  }

  /** Back to HEAD, then one commit that changes `file` (a new file when `edit` gets undefined). */
  async commitChange(
    message: string,
    file: string,
    edit: (text: string | undefined) => string,
  ): Promise<string> {
    git(this.dir, ["reset", "--quiet", "--hard", this.base]);
    const path = join(this.dir, file);
    const before = await readFile(path, "utf8").catch(() => undefined);
    const after = edit(before);
    if (after === before) throw new Error(`the change to ${file} changes nothing`);
    await writeFile(path, after);
    git(this.dir, ["add", file]);
    git(this.dir, [
      "-c",
      "user.name=Test",
      "-c",
      "user.email=test@localhost",
      "commit",
      "--quiet",
      "-m",
      message,
    ]);
    return git(this.dir, ["rev-parse", "HEAD"]).trim();
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Files git neither tracks nor ignores as build output (dist/, node_modules): what a run left in the checkout. */
export function untrackedFiles(dir: string): { where: string; text: string }[] {
  const listed = git(dir, ["ls-files", "--others", "-z"]).split("\0").filter(Boolean);
  return listed
    .filter((file) => !/(^|\/)(dist|node_modules)(\/|$)/.test(file) && !file.endsWith(".tsbuildinfo"))
    .filter((file) => statSync(join(dir, file)).isFile())
    .map((file) => ({ where: file, text: readFileSync(join(dir, file)).toString("latin1") }));
}

function git(cwd: string, args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}
