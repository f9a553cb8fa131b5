import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { isIPv4 } from "node:net";

// How a task on ECS learns the address browsers must send media to. In bridge mode the task metadata's
// HostIp is 0.0.0.0 and IMDS is out of reach (hop limit 1, kept so containers can't take the instance
// role), so the server asks a STUN server what address its packets come from, as a browser does. Only
// the address is used: the source port Docker's masquerading picks is not the host port ECS mapped,
// which comes from the task metadata instead.

const MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const MAPPED_ADDRESS = 0x0001;
const XOR_MAPPED_ADDRESS = 0x0020;
const IPV4 = 0x01;
const HEADER_BYTES = 20;

export interface StunServer {
  host: string;
  port: number;
}

export interface MappedAddress {
  address: string;
  port: number;
}

/** A Binding Request (RFC 5389 section 6) with no attributes. */
export function bindingRequest(transactionId: Buffer): Buffer {
  if (transactionId.length !== 12) throw new Error("a STUN transaction id is 12 bytes");
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(BINDING_REQUEST, 0);
  header.writeUInt16BE(0, 2);
  header.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(header, 8);
  return header;
}

/**
 * The IPv4 address a Binding success response reports for our transaction, or undefined for any other
 * datagram: a stray packet on the socket must not become the address we advertise.
 */
export function parseBindingResponse(message: Buffer, transactionId: Buffer): MappedAddress | undefined {
  if (message.length < HEADER_BYTES) return undefined;
  if (message.readUInt16BE(0) !== BINDING_SUCCESS || message.readUInt32BE(4) !== MAGIC_COOKIE)
    return undefined;
  if (!message.subarray(8, 20).equals(transactionId)) return undefined;
  const end = Math.min(message.length, HEADER_BYTES + message.readUInt16BE(2));
  let mapped: MappedAddress | undefined;
  for (let at = HEADER_BYTES; at + 4 <= end; ) {
    const type = message.readUInt16BE(at);
    const length = message.readUInt16BE(at + 2);
    const value = message.subarray(at + 4, at + 4 + length);
    if (type === XOR_MAPPED_ADDRESS) return ipv4Of(value, true);
    if (type === MAPPED_ADDRESS) mapped = ipv4Of(value, false);
    at += 4 + Math.ceil(length / 4) * 4; // attributes are padded to 4 bytes
  }
  return mapped;
}

function ipv4Of(value: Buffer, xored: boolean): MappedAddress | undefined {
  if (value.length < 8 || value[1] !== IPV4) return undefined;
  const port = value.readUInt16BE(2) ^ (xored ? MAGIC_COOKIE >>> 16 : 0);
  const raw = (value.readUInt32BE(4) ^ (xored ? MAGIC_COOKIE : 0)) >>> 0;
  const address = [raw >>> 24, (raw >>> 16) & 0xff, (raw >>> 8) & 0xff, raw & 0xff].join(".");
  return { address, port };
}

/** `host:port`, as STUN_SERVER is written (no scheme: `stun:` URLs are accepted and stripped). */
export function parseStunServer(text: string): StunServer {
  const m = /^(?:stun:)?([A-Za-z0-9.-]{1,253}):(\d{1,5})$/.exec(text.trim());
  const port = Number(m?.[2]);
  if (!m || port < 1 || port > 65535)
    throw new Error(`STUN_SERVER must look like "stun.example.com:3478", got "${text}"`);
  return { host: m[1]!, port };
}

/**
 * Asks the STUN server for our public IPv4, retrying as RFC 5389 section 7.2.1 does (the first
 * request or answer can be lost); undefined when no answer comes in time.
 */
export async function publicAddressFromStun(
  server: StunServer,
  { attempts = 3, timeoutMs = 500 }: { attempts?: number; timeoutMs?: number } = {},
): Promise<string | undefined> {
  const socket = createSocket("udp4");
  const transactionId = randomBytes(12);
  const request = bindingRequest(transactionId);
  try {
    const answer = new Promise<string>((resolve) => {
      socket.on("message", (message) => {
        const mapped = parseBindingResponse(message, transactionId);
        if (mapped && isIPv4(mapped.address)) resolve(mapped.address);
      });
    });
    socket.on("error", () => undefined); // an unreachable server is a timeout, not a crash
    for (let attempt = 0; attempt < attempts; attempt++) {
      socket.send(request, server.port, server.host);
      const address = await Promise.race([answer, delay(timeoutMs * 2 ** attempt)]);
      if (address) return address;
    }
    return undefined;
  } finally {
    socket.close();
  }
}

function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}
