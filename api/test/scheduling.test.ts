import { describe, expect, it } from "vitest";
import { claimOrder, costKey, MAX_WAIT_MS, type Queued } from "../src/model/scheduling.js";

// The claim order's rules, pure (test/store.test.ts holds the SQL to the same order on both databases).

const q = (id: string, createdAt: number, expectedMs: number | null, priority = 50): Queued => ({
  id,
  createdAt,
  expectedMs,
  priority,
});
const order = (jobs: Queued[], scheduling: "fifo" | "sjf", now: number) =>
  [...jobs].sort(claimOrder(scheduling, now)).map((j) => j.id);

describe("claimOrder", () => {
  const now = 10 * MAX_WAIT_MS;
  const jobs = [
    q("long", now - 3_000, 60_000),
    q("short", now - 2_000, 4_000),
    q("unknown", now - 1_000, null),
  ];

  it("fifo: the oldest first, whatever its size", () => {
    expect(order(jobs, "fifo", now)).toEqual(["long", "short", "unknown"]);
  });

  it("sjf: the shortest expected first; a kind never run counts as short", () => {
    expect(order(jobs, "sjf", now)).toEqual(["unknown", "short", "long"]);
  });

  it("sjf: a job past the longest wait goes before shorter ones (no starvation)", () => {
    const starving = q("starving", now - MAX_WAIT_MS, 600_000);
    expect(order([...jobs, starving], "sjf", now)).toEqual(["starving", "unknown", "short", "long"]);
    expect(order([...jobs, { ...starving, createdAt: now - MAX_WAIT_MS + 1 }], "sjf", now).at(-1)).toBe(
      "starving",
    );
  });

  it("priority before everything in both", () => {
    const urgent = q("urgent", now, 600_000, 90);
    expect(order([...jobs, urgent], "fifo", now)[0]).toBe("urgent");
    expect(order([...jobs, urgent, q("starving", 0, 1)], "sjf", now)[0]).toBe("urgent");
  });
});

describe("costKey", () => {
  const spec = (input: string, speed: string) =>
    ({
      kind: "transcode",
      input,
      output: "objects://out/",
      profile: {
        ffmpeg: { codec: "h264", scale: "360p", bitrate: 1, profile: "quality", speed, platform: "cpu" },
      },
    }) as Parameters<typeof costKey>[0];

  it("is the same for the same input and encoding, different for another input or preset", () => {
    expect(costKey(spec("objects://a.mp4", "fast"))).toBe(costKey(spec("objects://a.mp4", "fast")));
    expect(costKey(spec("objects://a.mp4", "fast"))).not.toBe(costKey(spec("objects://b.mp4", "fast")));
    expect(costKey(spec("objects://a.mp4", "fast"))).not.toBe(costKey(spec("objects://a.mp4", "slow")));
  });
});
