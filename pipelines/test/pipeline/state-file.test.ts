import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  checkExpectedDigests,
  emptyState,
  parseState,
  readState,
  withFact,
  writeState,
} from "../../src/pipeline/state-file.js";

const digest = `sha256:${"d".repeat(64)}`;

describe("pipeline state file", () => {
  it("round-trips through an atomic write and reads a missing file as empty", async () => {
    const dir = await mkdtemp(join(tmpdir(), "state-"));
    try {
      const file = join(dir, "nested", "state.json");
      expect(readState(file)).toEqual(emptyState());
      const state = withFact(
        {
          ...emptyState(),
          commit: "abc1234",
          images: { api: { tag: "t", digest } },
          runtime: { "api-qa": { environment: { ROLE: "all" }, secrets: { API_ADMIN_KEY: "arn:s" } } },
        },
        "images.qa",
      );
      writeState(file, state);
      expect(readState(file)).toEqual(state);
      expect(await readdir(join(dir, "nested"))).toEqual(["state.json"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("names what is wrong with a damaged file", () => {
    expect(() => parseState("{", "s.json")).toThrow("s.json is not JSON");
    expect(() => parseState('{"version":2}', "s.json")).toThrow("s.json: version must be 1");
    expect(() => parseState('{"version":1,"facts":["shipped"],"images":{}}', "s.json")).toThrow(
      "s.json: facts must be a list of",
    );
    expect(() =>
      parseState('{"version":1,"facts":[],"images":{"api":{"tag":"t","digest":"latest"}}}', "s.json"),
    ).toThrow("s.json: images.api needs a tag and a sha256 digest");
    expect(() =>
      parseState(
        '{"version":1,"facts":[],"images":{},"runtime":{"api-qa":{"environment":{"ROLE":1},"secrets":{}}}}',
        "s.json",
      ),
    ).toThrow("s.json: runtime.api-qa needs environment and secrets, each of names to strings");
  });

  it("refuses a state whose digests are not the ones the CI job was handed", () => {
    const state = { ...emptyState(), images: { api: { tag: "t", digest } } };
    expect(() => checkExpectedDigests(state, [`api=${digest}`])).not.toThrow();
    expect(() => checkExpectedDigests(state, [`api=sha256:${"e".repeat(64)}`])).toThrow(
      `the pipeline state records ${digest} for api, but this job expects sha256:${"e".repeat(64)}`,
    );
    expect(() => checkExpectedDigests(state, [`media-server=${digest}`])).toThrow(
      "records no image for media-server",
    );
    expect(() => checkExpectedDigests(state, ["api="])).toThrow(
      "--expect api=: expected <app>=sha256:<64 hex>",
    );
  });
});
