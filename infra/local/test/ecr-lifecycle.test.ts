import { describe, expect, it } from "vitest";
import { imagesToExpire, parseLifecyclePolicy, tagPattern } from "../src/services/ecr/lifecycle.js";

const day = 86_400_000;
const now = new Date("2026-06-01T00:00:00Z");
const image = (digest: string, tags: string[], daysAgo: number) => ({
  digest,
  tags,
  pushedAt: new Date(now.getTime() - daysAgo * day).toISOString(),
});

describe("ECR lifecycle policies", () => {
  it("expires beyond imageCountMoreThan, newest kept", () => {
    const rules = parseLifecyclePolicy(
      JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 2 },
            action: { type: "expire" },
          },
        ],
      }),
    );
    const expired = imagesToExpire(
      rules,
      [image("a", ["1"], 3), image("b", ["2"], 2), image("c", [], 1)],
      now,
    );
    expect([...expired]).toEqual(["a"]);
  });

  it("expires untagged images older than sinceImagePushed days", () => {
    const rules = parseLifecyclePolicy(
      JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            selection: {
              tagStatus: "untagged",
              countType: "sinceImagePushed",
              countUnit: "days",
              countNumber: 7,
            },
            action: { type: "expire" },
          },
        ],
      }),
    );
    const expired = imagesToExpire(
      rules,
      [image("old", [], 8), image("new", [], 6), image("tagged", ["v1"], 30)],
      now,
    );
    expect([...expired]).toEqual(["old"]);
  });

  it("lets an image selected by a higher-priority rule escape lower ones", () => {
    const rules = parseLifecyclePolicy(
      JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            selection: {
              tagStatus: "tagged",
              tagPrefixList: ["prod"],
              countType: "imageCountMoreThan",
              countNumber: 5,
            },
            action: { type: "expire" },
          },
          {
            rulePriority: 2,
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 },
            action: { type: "expire" },
          },
        ],
      }),
    );
    const expired = imagesToExpire(
      rules,
      [
        image("p1", ["prod-1"], 5),
        image("p2", ["prod-2"], 4),
        image("q1", ["qa-1"], 3),
        image("q2", ["qa-2"], 2),
      ],
      now,
    );
    expect([...expired]).toEqual(["q1"]);
  });

  it("refuses invalid policies with ECR's InvalidParameterException", () => {
    const bad = [
      "{",
      JSON.stringify({ rules: [] }),
      JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            selection: { tagStatus: "tagged", countType: "imageCountMoreThan", countNumber: 1 },
            action: { type: "expire" },
          },
        ],
      }),
      JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            selection: { tagStatus: "any", countType: "sinceImagePushed", countNumber: 1 },
            action: { type: "expire" },
          },
        ],
      }),
      JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 0 },
            action: { type: "expire" },
          },
        ],
      }),
    ];
    for (const text of bad)
      expect(() => parseLifecyclePolicy(text), text).toThrow(/Lifecycle policy validation failure/);
  });

  it("matches tag patterns with * only", () => {
    expect(tagPattern("release-*").test("release-1.2")).toBe(true);
    expect(tagPattern("v?").test("v1")).toBe(false);
    expect(tagPattern("1.0").test("100")).toBe(false);
  });
});
