import { describe, expect, it } from "vitest";
import { advertiseCandidate, advertiseSdp, isCandidateLine } from "../../src/media/ice-advertise.js";

const host = "candidate:1 1 udp 2130706431 172.17.0.5 50003 typ host generation 0";

describe("ICE advertisement", () => {
  it("rewrites host candidates to the public address and the mapped port", () => {
    const ad = { publicIp: "203.0.113.7", ports: new Map([[50003, 32771]]) };
    expect(advertiseCandidate(host, ad)).toBe(
      "candidate:1 1 udp 2130706431 203.0.113.7 32771 typ host generation 0",
    );
    expect(advertiseCandidate(host, { publicIp: undefined, ports: new Map() })).toBe(host);
    const v6 = "candidate:2 1 udp 2130706431 fd00::5 50003 typ host";
    expect(advertiseCandidate(v6, ad)).toBe("candidate:2 1 udp 2130706431 fd00::5 32771 typ host");
    const sdp = `v=0\r\na=${host}\r\na=mid:0\r\n`;
    expect(advertiseSdp(sdp, ad)).toContain("a=candidate:1 1 udp 2130706431 203.0.113.7 32771 typ host");
  });

  it("tells candidate lines from garbage", () => {
    expect(isCandidateLine(host)).toBe(true);
    expect(
      isCandidateLine(
        "candidate:842163049 1 udp 1677729535 198.51.100.1 61234 typ srflx raddr 0.0.0.0 rport 0",
      ),
    ).toBe(true);
    expect(isCandidateLine("candidate:garbage")).toBe(false);
    expect(isCandidateLine("hello")).toBe(false);
    expect(isCandidateLine(`${host}\r\na=evil`)).toBe(false);
  });
});
