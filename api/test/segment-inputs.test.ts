import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { SegmentInputs } from "../src/worker/segment-inputs.js";

// A process fetches a job's input once for all the segments it encodes of that job, and keeps no
// input once it has no segment to give.

let dir: string;
let fetched: string[];
let inputs: SegmentInputs;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "api-inputs-"));
  fetched = [];
  inputs = new SegmentInputs(dir, async (jobId, destination) => {
    fetched.push(jobId);
    if (jobId === "broken") throw new Error("no such object");
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(destination, `input of ${jobId}`);
  });
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

it("fetches a job's input once for segments at once and one after another", async () => {
  const [a, b] = await Promise.all([inputs.acquire("j1"), inputs.acquire("j1")]);
  expect(a.path).toBe(b.path);
  expect(readFileSync(a.path, "utf8")).toBe("input of j1");
  await a.release();
  await b.release();
  const c = await inputs.acquire("j1");
  expect(c.path).toBe(a.path);
  expect(fetched).toEqual(["j1"]);
  await c.release();
});

it("drops the kept input when idle, not while a segment reads it", async () => {
  const a = await inputs.acquire("j1");
  await inputs.dropIdle();
  expect(existsSync(a.path)).toBe(true);
  await a.release();
  await inputs.dropIdle();
  expect(existsSync(a.path)).toBe(false);
  expect(readdirSync(dir)).toEqual([]);
});

it("gives another job's segment its own copy while the kept one is read, and removes it after", async () => {
  const a = await inputs.acquire("j1");
  const other = await inputs.acquire("j2");
  expect(readFileSync(other.path, "utf8")).toBe("input of j2");
  await other.release();
  expect(existsSync(other.path)).toBe(false);
  await a.release();
  // Idle now: the next job's input replaces it.
  const next = await inputs.acquire("j3");
  expect(existsSync(a.path)).toBe(false);
  expect(fetched).toEqual(["j1", "j2", "j3"]);
  await next.release();
});

it("passes a failed fetch on and keeps nothing of it", async () => {
  await expect(inputs.acquire("broken")).rejects.toThrow("no such object");
  expect(readdirSync(dir)).toEqual([]);
  const again = inputs.acquire("broken");
  await expect(again).rejects.toThrow("no such object");
  expect(fetched).toEqual(["broken", "broken"]);
});
