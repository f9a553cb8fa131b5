import { describe, expect, it } from "vitest";
import {
  prodChangedNotice,
  qaReadyNotice,
  stageFailedNotice,
  subjectLine,
} from "../../../src/pipeline/notices/notice-text.js";

const commit = "0123456789abcdef0123456789abcdef01234567";
const prod = "fedcba9876543210fedcba9876543210fedcba98";

describe("qaReadyNotice", () => {
  it("names the commit, the qa URL and the changes since prod as commit subjects", () => {
    const notice = qaReadyNotice({
      commit,
      firstSubject: "Faster thumbnails",
      qaUrl: "https://qa.example.com",
      changes: {
        kind: "listed",
        prodCommit: prod,
        subjects: ["Faster thumbnails", "Fix upload"],
        more: true,
      },
    });
    expect(notice.environment).toBe("qa");
    expect(notice.subject).toBe("qa ready: 0123456789ab Faster thumbnails");
    expect(notice.message).toContain(`commit ${commit}`);
    expect(notice.message).toContain("https://qa.example.com");
    expect(notice.message).toContain(
      "(prod serves fedcba987654):\n  - Faster thumbnails\n  - Fix upload\n  - … and older",
    );
  });

  it("says when prod's commit is unknown, or when nothing changed", () => {
    const unknown = qaReadyNotice({
      commit,
      qaUrl: "u",
      changes: { kind: "unknown", reason: "prod serves nothing" },
    });
    expect(unknown.message).toContain("Changes since the last prod deploy: unknown (prod serves nothing).");
    expect(unknown.subject).toBe("qa ready: 0123456789ab");
    const none = qaReadyNotice({
      commit,
      qaUrl: "u",
      changes: { kind: "listed", prodCommit: commit, subjects: [], more: false },
    });
    expect(none.message).toContain("No commits since the last prod deploy");
  });
});

describe("prodChangedNotice", () => {
  it("names the live commit and digests, and the commit before", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const notice = prodChangedNotice({
      commit,
      images: { api: { tag: "0123456789ab", digest } },
      previousCommit: prod,
      prodUrl: "https://example.com",
    });
    expect(notice.environment).toBe("prod");
    expect(notice.subject).toBe("prod changed: 0123456789ab (was fedcba987654)");
    expect(notice.message).toContain(`now serves commit ${commit}`);
    expect(notice.message).toContain(`before: commit ${prod}`);
    expect(notice.message).toContain(`api: ${digest} (tag 0123456789ab)`);
  });

  it("says when this run did not see prod before", () => {
    const notice = prodChangedNotice({ commit, images: {}, prodUrl: "p" });
    expect(notice.message).toContain("before: not observed by this run");
  });
});

describe("stageFailedNotice", () => {
  it("names the stage, its environment and why, bounded", () => {
    const notice = stageFailedNotice({
      stage: "deploy-prod",
      environment: "prod",
      error: "x".repeat(5000),
      commit,
    });
    expect(notice.subject).toBe("pipeline failed: deploy-prod (prod) at 0123456789ab");
    expect(notice.message).toContain("Environment: prod");
    expect(notice.message.length).toBeLessThan(4300);
  });
});

describe("subjectLine", () => {
  it("is one line of printable ASCII, at most 100 characters", () => {
    const subject = subjectLine(`qa ready: a\nb — ${"c".repeat(200)}`);
    expect(subject).toMatch(/^[\x20-\x7e]{1,100}$/);
    expect(subject.startsWith("qa ready: a b ? ccc")).toBe(true);
    expect(subject.endsWith("...")).toBe(true);
  });
});
