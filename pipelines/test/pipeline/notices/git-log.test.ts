import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changesSince, commitSubject, MAX_SUBJECTS } from "../../../src/pipeline/notices/git-log.js";

// A real git repository: the subjects between prod's commit and this one, bounded, and what is said
// when prod's commit is not one git knows.

let dir: string;
const shas: string[] = [];
const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, encoding: "utf8" }).trim();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "git-log-"));
  git("init", "-q");
  git("config", "user.email", "t@example.com");
  git("config", "user.name", "t");
  for (let i = 0; i < MAX_SUBJECTS + 5; i++) {
    writeFileSync(join(dir, "f"), String(i));
    git("add", "f");
    git("commit", "-q", "-m", `change ${i}`);
    shas.push(git("rev-parse", "HEAD"));
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("changesSince", () => {
  it("lists the subjects after prod's commit, newest first", () => {
    expect(changesSince(dir, shas[1]!, shas[3]!)).toEqual({
      kind: "listed",
      prodCommit: shas[1],
      subjects: ["change 3", "change 2"],
      more: false,
    });
    expect(changesSince(dir, shas[3]!.slice(0, 12), `${shas[3]}-dirty`)).toMatchObject({ subjects: [] });
  });

  it("lists at most MAX_SUBJECTS and says there are more", () => {
    const changes = changesSince(dir, shas[0]!, shas.at(-1)!);
    expect(changes).toMatchObject({ kind: "listed", more: true });
    expect(changes.kind === "listed" && changes.subjects.length).toBe(MAX_SUBJECTS);
  });

  it("says why when prod has nothing, reports no sha, or a commit git does not know", () => {
    expect(changesSince(dir, undefined, shas[0]!)).toMatchObject({ kind: "unknown" });
    expect(changesSince(dir, "--output=/tmp/x", shas[0]!)).toMatchObject({
      kind: "unknown",
      reason: expect.stringContaining("not a commit"),
    });
    expect(changesSince(dir, "a".repeat(40), shas[0]!)).toMatchObject({
      reason: expect.stringContaining("not in this checkout's history"),
    });
  });

  it("reads a commit's subject", () => {
    expect(commitSubject(dir, shas[2]!)).toBe("change 2");
  });
});
