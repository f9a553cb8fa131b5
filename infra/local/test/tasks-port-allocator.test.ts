import { describe, expect, it } from "vitest";
import { PortAllocator, PortInUseError } from "../src/runtime/tasks/port-allocator.js";

// The probe stands in for "is anything else on this machine bound to the port".
const freeExcept =
  (busy: number[]) =>
  async (port: number): Promise<boolean> =>
    !busy.includes(port);

describe("host port allocation", () => {
  it("hands out dynamic ports round robin, skipping ports in use elsewhere", async () => {
    const ports = new PortAllocator({ from: 100, to: 104 }, freeExcept([101]));
    expect([await ports.allocate(0, "tcp"), await ports.allocate(0, "tcp")]).toEqual([100, 102]);
  });

  it("gives a task's UDP mappings one block of consecutive ports", async () => {
    const ports = new PortAllocator({ from: 200, to: 220 }, freeExcept([203]));
    await ports.allocate(0, "udp"); // 200, taken by another task
    const block = await ports.allocateBlock(4, "udp");
    // 201-204 would include 203 (busy elsewhere): the block starts after it.
    expect(block).toEqual([204, 205, 206, 207]);
    expect(await ports.allocateBlock(3, "udp")).toEqual([208, 209, 210]);
  });

  it("does not reuse a block until it is released", async () => {
    const ports = new PortAllocator({ from: 300, to: 305 }, freeExcept([]));
    const first = await ports.allocateBlock(3, "udp");
    const second = await ports.allocateBlock(3, "udp");
    expect(second).not.toEqual(expect.arrayContaining([first[0]]));
    await expect(ports.allocateBlock(2, "udp")).rejects.toThrow(PortInUseError);
    for (const port of first) ports.release(port, "udp");
    expect(await ports.allocateBlock(3, "udp")).toEqual(first);
  });

  it("says how many consecutive ports it could not find", async () => {
    const ports = new PortAllocator({ from: 400, to: 403 }, freeExcept([401]));
    await expect(ports.allocateBlock(3, "udp")).rejects.toThrow(
      "no 3 consecutive free udp host ports left in 400-403",
    );
  });
});
