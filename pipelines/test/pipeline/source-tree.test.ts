import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentBranch, sourceMismatch } from "../../src/pipeline/source-tree.js";

// A real repository with develop merged into main: the merge commit holds the tree qa verified.

let dir: string;
const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, encoding: "utf8" }).trim();
let verified: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "source-tree-"));
  git("init", "-q", "-b", "main");
  git("config", "user.email", "t@example.com");
  git("config", "user.name", "t");
  writeFileSync(join(dir, "f"), "1");
  git("add", "f");
  git("commit", "-q", "-m", "start");
  git("checkout", "-q", "-b", "develop");
  writeFileSync(join(dir, "f"), "2");
  git("commit", "-q", "-am", "feature");
  verified = git("rev-parse", "HEAD");
  git("checkout", "-q", "main");
  git("merge", "-q", "--no-ff", "-m", "merge develop", "develop");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("sourceMismatch", () => {
  it("lets main's merge commit promote what qa verified on develop (same tree)", () => {
    expect(git("rev-parse", "HEAD")).not.toBe(verified);
    expect(sourceMismatch(dir, verified)).toBeUndefined();
  });

  it("refuses when main's tree differs, nothing was verified, or the build was dirty", () => {
    writeFileSync(join(dir, "f"), "3");
    git("commit", "-q", "-am", "hotfix on main");
    expect(sourceMismatch(dir, verified)).toMatch(/source tree differs.*rebuild for prod is refused/);
    expect(sourceMismatch(dir, undefined)).toMatch(/records no commit/);
    expect(sourceMismatch(dir, `${verified}-dirty`)).toMatch(/not a clean commit/);
    expect(sourceMismatch(dir, "b".repeat(40))).toMatch(/does not have/);
  });

  it("names the branch: CI's GITHUB_REF_NAME, else git's", () => {
    expect(currentBranch(dir, {})).toBe("main");
    expect(currentBranch(dir, { GITHUB_REF_NAME: "develop" })).toBe("develop");
  });
});
