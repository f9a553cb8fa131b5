import { describe, expect, it } from "vitest";
import {
  bindingRequest,
  parseBindingResponse,
  parseStunServer,
  publicAddressFromStun,
} from "../../src/http/stun-address.js";
import { bindingSuccess, startFakeStun } from "../helpers/fake-stun.js";

// RFC 5769 section 2.2: a Binding success response with SOFTWARE, XOR-MAPPED-ADDRESS (192.0.2.1:32853),
// MESSAGE-INTEGRITY and FINGERPRINT.
const RFC5769_RESPONSE = Buffer.from(
  "0101003c2112a442b7e7a701bc34d686fa87dfae802200" +
    "0b7465737420766563746f7220002000080001a147e112a643000800142b91f599fd9e90c38c7489f92af9ba53f06be7d780280004c07d4c96",
  "hex",
);
const RFC5769_TRANSACTION = Buffer.from("b7e7a701bc34d686fa87dfae", "hex");

describe("STUN binding", () => {
  it("reads the address of RFC 5769's IPv4 test vector", () => {
    expect(parseBindingResponse(RFC5769_RESPONSE, RFC5769_TRANSACTION)).toEqual({
      address: "192.0.2.1",
      port: 32853,
    });
  });

  it("ignores an answer to another transaction, a request, and a short datagram", () => {
    const other = Buffer.from("000000000000000000000001", "hex");
    expect(parseBindingResponse(RFC5769_RESPONSE, other)).toBeUndefined();
    expect(parseBindingResponse(bindingRequest(RFC5769_TRANSACTION), RFC5769_TRANSACTION)).toBeUndefined();
    expect(parseBindingResponse(Buffer.alloc(8), RFC5769_TRANSACTION)).toBeUndefined();
  });

  it("round-trips an address through the fake server's encoding", () => {
    expect(
      parseBindingResponse(bindingSuccess(RFC5769_TRANSACTION, "203.0.113.250", 61001), RFC5769_TRANSACTION),
    ).toEqual({
      address: "203.0.113.250",
      port: 61001,
    });
  });

  it("writes a 20-byte request with the magic cookie and the transaction id", () => {
    const request = bindingRequest(RFC5769_TRANSACTION);
    expect(request.toString("hex")).toBe("000100002112a442b7e7a701bc34d686fa87dfae");
    expect(() => bindingRequest(Buffer.alloc(4))).toThrow(/12 bytes/);
  });

  it("parses STUN_SERVER and says what is wrong with a bad one", () => {
    expect(parseStunServer("stun.l.google.com:19302")).toEqual({ host: "stun.l.google.com", port: 19302 });
    expect(parseStunServer("stun:127.0.0.1:3478")).toEqual({ host: "127.0.0.1", port: 3478 });
    expect(() => parseStunServer("stun.example.com")).toThrow(/STUN_SERVER must look like/);
    expect(() => parseStunServer("a;rm -rf /:1")).toThrow(/STUN_SERVER/);
    expect(() => parseStunServer("host:70000")).toThrow(/STUN_SERVER/);
  });
});

describe("publicAddressFromStun", () => {
  it("asks again when the first request goes unanswered", async () => {
    const stun = await startFakeStun("198.51.100.23", 1);
    try {
      expect(await publicAddressFromStun({ host: "127.0.0.1", port: stun.port }, { timeoutMs: 100 })).toBe(
        "198.51.100.23",
      );
      expect(stun.requests()).toBe(2);
    } finally {
      await stun.close();
    }
  });

  it("gives up with no address when nobody answers", async () => {
    const stun = await startFakeStun("198.51.100.23", 99);
    try {
      expect(
        await publicAddressFromStun({ host: "127.0.0.1", port: stun.port }, { attempts: 2, timeoutMs: 50 }),
      ).toBeUndefined();
      expect(stun.requests()).toBe(2);
    } finally {
      await stun.close();
    }
  });
});
