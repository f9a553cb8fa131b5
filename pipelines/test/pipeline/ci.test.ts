import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ciReporter, detectCi, isCiCommand, teamcityEscape } from "../../src/pipeline/ci.js";

describe("CI reporting", () => {
  it("detects TeamCity and GitHub Actions from their variables", () => {
    expect(detectCi({ TEAMCITY_VERSION: "2025.1" })).toBe("teamcity");
    expect(detectCi({ GITHUB_ACTIONS: "true" })).toBe("github");
    expect(detectCi({})).toBe("none");
  });

  it("recognises a child tool's lines for the CI server, so they are relayed unindented", () => {
    expect(isCiCommand("##teamcity[testStarted name='a']")).toBe(true);
    expect(isCiCommand("::group::deploy api-qa")).toBe(true);
    expect(isCiCommand("::endgroup::")).toBe(true);
    expect(isCiCommand("::error file=a.ts::boom")).toBe(true);
    expect(isCiCommand("  ##teamcity[x]")).toBe(false);
    expect(isCiCommand(":: not a command")).toBe(false);
    expect(isCiCommand("deploy: 2 tasks running")).toBe(false);
  });

  it("writes TeamCity service messages with TeamCity's escaping", () => {
    const lines: string[] = [];
    const ci = ciReporter({ TEAMCITY_VERSION: "2025.1" }, (l) => lines.push(l));
    ci.output("api-digest", "sha256:abc");
    ci.problem("it's [broken]\nbadly");
    expect(lines).toEqual([
      "##teamcity[setParameter name='api-digest' value='sha256:abc']",
      "##teamcity[buildProblem description='it|'s |[broken|]|nbadly']",
    ]);
    expect(teamcityEscape("a|b")).toBe("a||b");
  });

  it("appends GitHub step outputs to $GITHUB_OUTPUT and groups log lines", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gh-"));
    try {
      const file = join(dir, "output");
      const lines: string[] = [];
      const ci = ciReporter({ GITHUB_ACTIONS: "true", GITHUB_OUTPUT: file }, (l) => lines.push(l));
      ci.output("api-digest", "sha256:abc");
      ci.blockStart("push");
      ci.blockEnd("push");
      ci.problem("100% broken\nreally");
      expect(await readFile(file, "utf8")).toBe("api-digest=sha256:abc\n");
      expect(lines).toEqual(["::group::push", "::endgroup::", "::error::100%25 broken%0Areally"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("prints nothing extra outside CI", () => {
    const lines: string[] = [];
    const ci = ciReporter({}, (l) => lines.push(l));
    ci.output("a", "b");
    ci.blockStart("x");
    ci.problem("p");
    expect(lines).toEqual([]);
  });
});
