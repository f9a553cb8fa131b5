import { describe, expect, it } from "vitest";
import {
  assessRounds,
  checkAnswer,
  type Expectation,
  PROBES,
  sameCommit,
} from "../../src/pipeline/verify.js";

const digest = `sha256:${"a".repeat(64)}`;
const expected: Expectation = {
  commit: "0123456789abcdef0123456789abcdef01234567",
  images: { api: { digest, tag: "0123456789ab" } },
};
const [health, version] = PROBES;
const answer = (body: object, status = 200) => ({ status, body: JSON.stringify(body) });

describe("checkAnswer", () => {
  it("accepts a healthy answer and a version that reports this commit and image", () => {
    expect(checkAnswer(health!, { status: 200, body: "ok" }, expected)).toBeUndefined();
    const image = `123.dkr.ecr.eu-west-1.amazonaws.com/api-qa@${digest}`;
    expect(checkAnswer(version!, answer({ commit: expected.commit, image }), expected)).toBeUndefined();
    const byTag = "123.dkr.ecr.eu-west-1.amazonaws.com/api-qa:0123456789ab";
    expect(checkAnswer(version!, answer({ commit: "0123456789ab", image: byTag }), expected)).toBeUndefined();
  });

  it("names what is wrong: status, old commit, other image, not JSON, no answer", () => {
    expect(checkAnswer(health!, { status: 503, body: "" }, expected)).toBe("/healthz: HTTP 503");
    expect(checkAnswer(version!, answer({ commit: "fedcba9876543210", image: digest }), expected)).toBe(
      `/api/v1/version: commit is fedcba9876543210, expected ${expected.commit}`,
    );
    expect(checkAnswer(version!, answer({ commit: expected.commit, image: "api-qa:old" }), expected)).toMatch(
      /image is api-qa:old, expected sha256:a+ \(tag 0123456789ab\)/,
    );
    expect(checkAnswer(version!, { status: 200, body: "<html>" }, expected)).toBe(
      "/api/v1/version: the answer is not JSON",
    );
    expect(checkAnswer(health!, new Error("connect ECONNREFUSED"), expected)).toBe(
      "/healthz: connect ECONNREFUSED",
    );
  });
});

describe("sameCommit", () => {
  it("matches short and full shas, but not across a dirty marker", () => {
    expect(sameCommit("0123456789ab", expected.commit)).toBe(true);
    expect(sameCommit(`${expected.commit}-dirty`, expected.commit)).toBe(false);
    expect(sameCommit("0123", expected.commit)).toBe(false);
    expect(sameCommit("1123456789ab", expected.commit)).toBe(false);
  });
});

describe("assessRounds", () => {
  const ok = { problems: [] };
  const bad = { problems: ["/healthz: HTTP 503"] };
  it("passes after the required clean rounds in a row", () => {
    expect(assessRounds([bad, ok, ok, ok], 3, 10)).toEqual({ state: "passed" });
    expect(assessRounds([ok, ok, bad, ok], 3, 10)).toEqual({ state: "waiting" });
  });
  it("fails as soon as the remaining rounds cannot make the streak, with the last problems", () => {
    expect(assessRounds([bad, bad, bad, ok], 3, 5)).toEqual({
      state: "failed",
      problems: ["not enough clean rounds in a row"],
    });
    expect(assessRounds([ok, bad, bad], 3, 4)).toEqual({ state: "failed", problems: ["/healthz: HTTP 503"] });
    expect(assessRounds([bad], 3, 10)).toEqual({ state: "waiting" });
  });
});
