import { describe, expect, it } from "vitest";
import { closeFrame, isClearOutcome, outcomeRows, readOutcome } from "../src/hostile-clients.js";
import {
  boundedProblems,
  cpuPercent,
  machineBusyPercent,
  parseCpuMs,
  parseMachineCpu,
  parseSchedWaitNs,
  parseVmRssKiB,
  summarize,
} from "../src/proc-stats.js";

// No region: the hostile scenario's readings of what ended a client, and of /proc.

describe("readOutcome and closeFrame", () => {
  it("reads a status line, waiting for a 101's end of headers", () => {
    expect(readOutcome(Buffer.from("HTTP/1.1 431 Request Header Fields Too Large\r\n"))).toBe("HTTP 431");
    expect(
      readOutcome(Buffer.from("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n")),
    ).toBeUndefined();
    expect(readOutcome(Buffer.from("HTTP/1.1 101 Switching Protocols\r\n\r\n"))).toBe("HTTP 101");
    expect(readOutcome(Buffer.from("HTTP/1.1 4"))).toBeUndefined();
  });

  it("finds a close frame's code after other frames (a ping), and not in a partial frame", () => {
    const ping = Buffer.from([0x89, 0x00]);
    const close = Buffer.from([0x88, 0x02, 0x03, 0xe9]); // 1001
    expect(closeFrame(Buffer.concat([ping, close]))).toBe("close frame 1001");
    expect(closeFrame(Buffer.from([0x88, 0x00]))).toBe("close frame (no code)");
    expect(closeFrame(Buffer.from([0x88, 0x02, 0x03]))).toBeUndefined();
    expect(closeFrame(ping)).toBeUndefined();
  });
});

describe("outcomes", () => {
  it("groups clients by kind and outcome with the longest time and bytes", () => {
    expect(
      outcomeRows([
        { client: "slowloris", outcome: "HTTP 408", ms: 60_000, sentBytes: 80 },
        { client: "slowloris", outcome: "HTTP 408", ms: 90_000, sentBytes: 110 },
        { client: "slowloris", outcome: "hung", ms: 120_000 },
      ]),
    ).toEqual([
      { client: "slowloris", outcome: "HTTP 408", count: 2, maxMs: 90_000, maxSentBytes: 110 },
      { client: "slowloris", outcome: "hung", count: 1, maxMs: 120_000, maxSentBytes: 0 },
    ]);
  });

  it("counts a 4xx, a close frame or the server closing as a clear end; a hang, a 5xx or an error not", () => {
    for (const clear of ["HTTP 400", "HTTP 413", "close frame 1001", "closed by the server"])
      expect(isClearOutcome(clear), clear).toBe(true);
    for (const unclear of ["hung", "HTTP 502", "HTTP 200", "error: read ECONNRESET"])
      expect(isClearOutcome(unclear), unclear).toBe(false);
  });
});

describe("/proc readings", () => {
  it("parses VmRSS and utime + stime (a command with spaces and parentheses)", () => {
    expect(parseVmRssKiB("Name:\tnode\nVmRSS:\t  123456 kB\nThreads: 7\n")).toBe(123456);
    expect(parseVmRssKiB("Name:\tzombie\n")).toBeUndefined();
    const stat = "4242 (node (a) b) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 7 0";
    expect(parseCpuMs(stat)).toBe(3000);
  });

  it("summarizes start, max and end and holds the end to the bound", () => {
    const r = (at: number, rssKiB: number, fds: number) => ({ at, rssKiB, fds, cpuMs: at / 2 });
    const s = summarize([r(0, 102_400, 20), r(1000, 512_000, 90), r(2000, 153_600, 40)]);
    expect(s).toEqual({
      readings: 3,
      startRssMiB: 100,
      maxRssMiB: 500,
      endRssMiB: 150,
      startFds: 20,
      maxFds: 90,
      endFds: 40,
    });
    const bound = { rssFactor: 1.5, rssSlackMiB: 40, fdSlack: 30 };
    expect(boundedProblems("x", s!, bound)).toEqual([]);
    expect(boundedProblems("x", { ...s!, endRssMiB: 151, endFds: 51 }, bound)).toEqual([
      "x: RSS 151 MiB at the end, over 150 MiB",
      "x: 51 open descriptors at the end, over 20 + 30",
    ]);
    expect(summarize([])).toBeUndefined();
    expect(cpuPercent(r(0, 1, 1), r(1000, 1, 1))).toBe(50);
  });

  it("reads the machine's idle and total CPU time and the busy share between two readings", () => {
    const from = parseMachineCpu("cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 50 0 50 350 50 0 0 0 0 0\n");
    expect(from).toEqual({ idle: 800, total: 1000 });
    expect(machineBusyPercent(from, { idle: 1100, total: 2000 })).toBe(70);
    expect(machineBusyPercent(from, from)).toBe(0);
  });

  it("reads the run-queue wait of schedstat", () => {
    expect(parseSchedWaitNs("123456789 987654321 42\n")).toBe(987654321);
  });
});
