import { describe, expect, it } from "vitest";
import { messageOf, Poller } from "../src/server/poller.js";

// The shared poller with a poll function the test drives (a 0 ms interval): what listeners get, in order.

/** Answers in order, then `rest` for ever (or a poll that never ends). */
function driven<T>(rest?: T) {
  const answers: (() => Promise<T>)[] = [];
  let calls = 0;
  const poll = () => {
    calls++;
    const next = answers.shift();
    if (next) return next();
    return rest === undefined ? new Promise<T>(() => {}) : Promise.resolve(rest);
  };
  return { poll, answers, calls: () => calls };
}

const flush = () => new Promise((r) => setImmediate(r));

describe("Poller", () => {
  it("polls once for many listeners, sends only changes, and sends a failure as a snapshot", async () => {
    const d = driven<number>();
    d.answers.push(
      () => Promise.resolve(1),
      () => Promise.resolve(1),
      () => Promise.reject(new Error("connect ECONNREFUSED")),
      () => Promise.resolve(2),
    );
    const poller = new Poller(d.poll, 0, () => 42);
    const a: string[] = [];
    const b: string[] = [];
    const offA = poller.subscribe((j) => a.push(j));
    const offB = poller.subscribe((j) => b.push(j));
    await expect.poll(() => d.calls()).toBeGreaterThanOrEqual(5);
    expect(a.map((j) => JSON.parse(j))).toEqual([
      { ok: true, at: 42, data: 1 },
      { ok: false, at: 42, error: "connect ECONNREFUSED" },
      { ok: true, at: 42, data: 2 },
    ]);
    expect(b).toEqual(a);
    offA();
    expect(poller.listening).toBe(1);
    offB();
    expect(poller.listening).toBe(0);
  });

  it("gives a late listener the latest snapshot at once, and stops polling with the last listener", async () => {
    const d = driven<string>("x");
    const poller = new Poller(d.poll, 0);
    const off = poller.subscribe(() => {});
    await expect.poll(() => d.calls()).toBeGreaterThanOrEqual(2);
    const late: string[] = [];
    const offLate = poller.subscribe((j) => late.push(j));
    expect(JSON.parse(late[0] as string).data).toBe("x");
    off();
    offLate();
    // A poll may still be under way; after it, none.
    await flush();
    const calls = d.calls();
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 1));
    expect(d.calls()).toBe(calls);
  });

  it("names an AWS error by its name", () => {
    const e = Object.assign(new Error("Invalid filter pattern"), { name: "InvalidParameterException" });
    expect(messageOf(e)).toBe("InvalidParameterException: Invalid filter pattern");
    expect(messageOf("plain")).toBe("plain");
  });
});
