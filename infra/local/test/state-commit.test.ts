import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AwsError, type Durable, type RequestContext } from "../src/contracts.js";
import { commitAfter, JsonFileDurable, mutating } from "../src/state/durable.js";

// The one commit path: a change is on disk (temp file, fsync, rename) before its answer goes out.

const ctx: RequestContext = { accountId: "000000000000", region: "us-east-1", requestId: "r" };
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function counting<T>(state: T): Durable<T> & { commits: number } {
  return {
    state,
    commits: 0,
    commit() {
      this.commits += 1;
    },
  };
}

describe("committing state", () => {
  it("commits a wire operation's change before its output is returned, and not a refused one", async () => {
    const durable = counting({ n: 0 });
    const seenAtCommit: number[] = [];
    const commit = durable.commit.bind(durable);
    durable.commit = () => {
      seenAtCommit.push(durable.state.n);
      commit();
    };
    const op = mutating(durable, () => {
      durable.state.n += 1;
      return { n: durable.state.n };
    });
    expect(await op({}, ctx)).toEqual({ n: 1 });
    expect(seenAtCommit).toEqual([1]);
    const refused = mutating(durable, () => {
      throw new AwsError("ValidationException", "no");
    });
    await expect(refused({}, ctx)).rejects.toThrow("no");
    expect(durable.commits).toBe(1);
  });

  it("waits for the data plane after the commit when asked to", async () => {
    const durable = counting({});
    const order: string[] = [];
    const op = mutating(
      durable,
      () => {
        order.push("change");
        return {};
      },
      async () => {
        order.push(`applied after ${durable.commits} commit`);
      },
    );
    await op({}, ctx);
    expect(order).toEqual(["change", "applied after 1 commit"]);
    expect(commitAfter(durable, () => "done")).toBe("done");
    expect(durable.commits).toBe(2);
  });

  it("writes JSON state atomically and reads it back on the next start", () => {
    const dir = mkdtempSync(join(tmpdir(), "local-region-state-"));
    dirs.push(dir);
    const first = new JsonFileDurable(dir, "thing", () => ({ items: [] as string[] }));
    first.state.items.push("kept");
    first.commit();
    expect(readdirSync(join(dir, "state"))).toEqual(["thing.json"]);
    expect(JSON.parse(readFileSync(join(dir, "state", "thing.json"), "utf8"))).toEqual({ items: ["kept"] });
    const again = new JsonFileDurable(dir, "thing", () => ({ items: [] as string[] }));
    expect(again.state.items).toEqual(["kept"]);
    expect(() => new JsonFileDurable(dir, "../escape", () => ({}))).toThrow(/invalid durable state name/);
  });
});
