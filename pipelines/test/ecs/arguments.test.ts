import { describe, expect, it } from "vitest";
import { changeRequestFrom } from "../../src/ecs/commands/change-options.js";
import { regionArgument } from "../../src/ecs/commands/common.js";
import { JOIN, joinMultiValueOptions } from "../../src/ecs/model/argv.js";
import { parseCommand } from "../../src/ecs/model/container-command.js";
import { parseEnvFile } from "../../src/ecs/model/env-file.js";
import { UsageError } from "../../src/ecs/model/errors.js";
import { revisionsToDeregister, servingRevisionOf } from "../../src/ecs/model/revisions.js";

describe("fabfuel-style multi-value options", () => {
  it("join each option's values into one token for commander", () => {
    const argv = [
      "deploy",
      "c",
      "s",
      "-e",
      "api",
      "A",
      "b c",
      "-i",
      "api",
      "img:1",
      "-t",
      "v1",
      "--timeout",
      "600",
    ];
    expect(joinMultiValueOptions(argv)).toEqual([
      "deploy",
      "c",
      "s",
      "-e",
      `api${JOIN}A${JOIN}b c`,
      "-i",
      `api${JOIN}img:1`,
      "-t",
      "v1",
      "--timeout",
      "600",
    ]);
  });

  it("reject an option given too few values", () => {
    expect(() => joinMultiValueOptions(["deploy", "c", "s", "-e", "api", "A"])).toThrow(
      /-e takes 3 values \(CONTAINER NAME VALUE\), got 2/,
    );
  });
});

describe("change options", () => {
  it("reject malformed env names, secrets without a parameter, bad numbers and role ARNs", () => {
    const bad = [
      { env: [["api", "1BAD", "x"]] },
      { secret: [["api", "TOKEN", ""]] },
      { cpu: [["api", "lots"]] },
      { memory: [["api", "0"]] },
      { role: "admin" },
      { tag: "bad tag" },
    ];
    for (const values of bad) expect(() => changeRequestFrom(values, () => "")).toThrow(UsageError);
  });

  it("read env files as NAME=value lines", () => {
    const request = changeRequestFrom(
      { envFile: [["api", "qa.env"]] },
      () => '# comment\nA=1\nexport B="two words"\n\n',
    );
    expect(request.envFiles[0]?.vars).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: "two words" },
    ]);
  });

  it("say which line of an env file is malformed", () => {
    expect(() => parseEnvFile("A=1\nnot a pair\n", "qa.env")).toThrow(/qa.env:2/);
  });
});

describe("commands", () => {
  it("split words or parse a JSON array, never through a shell", () => {
    expect(parseCommand("node main.js --port 3000")).toEqual(["node", "main.js", "--port", "3000"]);
    expect(parseCommand('["sh", "-c", "echo a b"]')).toEqual(["sh", "-c", "echo a b"]);
    expect(() => parseCommand("[oops")).toThrow(UsageError);
    expect(() => parseCommand("   ")).toThrow(UsageError);
  });
});

describe("positional region", () => {
  it("accepts a region name and nothing else", () => {
    expect(regionArgument("eu-west-1")).toBe("eu-west-1");
    expect(regionArgument("us-gov-west-1")).toBe("us-gov-west-1");
    expect(regionArgument(undefined)).toBeUndefined();
    expect(() => regionArgument("--fast")).toThrow(UsageError);
  });
});

describe("revisions to deregister", () => {
  const active = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => `arn:aws:ecs:eu-west-1:1:task-definition/api-qa:${n}`);

  it("keep the newest N, and never the serving revision or its rollback target", () => {
    // Serving 8, rollback target 2 (it served before 8 was deployed): 2 stays although it is old.
    expect(revisionsToDeregister(active, 3, ["api-qa:8", "api-qa:2"]).map((a) => a.split("/")[1])).toEqual([
      "api-qa:5",
      "api-qa:4",
      "api-qa:3",
      "api-qa:1",
    ]);
  });

  it("deregister nothing when there are no more than N", () => {
    expect(revisionsToDeregister(active.slice(0, 3), 5, [])).toEqual([]);
  });
});

describe("the serving revision", () => {
  it("is the last completed deployment's while the primary one is still rolling out", () => {
    const deployments = [
      { status: "PRIMARY", taskDefinition: "api-qa:6", rolloutState: "IN_PROGRESS" },
      { status: "ACTIVE", taskDefinition: "api-qa:5", rolloutState: "COMPLETED" },
    ];
    expect(servingRevisionOf("api-qa:6", deployments)).toBe("api-qa:5");
    expect(servingRevisionOf("api-qa:6", [{ ...deployments[0]!, rolloutState: "COMPLETED" }])).toBe(
      "api-qa:6",
    );
  });
});
