import { createSocket, type Socket } from "node:dgram";
import type { AddressInfo } from "node:net";

/** A Binding success response carrying `address:port` as XOR-MAPPED-ADDRESS (RFC 5389 section 15.2). */
export function bindingSuccess(transactionId: Buffer, address: string, port: number): Buffer {
  const message = Buffer.alloc(32);
  message.writeUInt16BE(0x0101, 0);
  message.writeUInt16BE(12, 2);
  message.writeUInt32BE(0x2112a442, 4);
  transactionId.copy(message, 8);
  message.writeUInt16BE(0x0020, 20);
  message.writeUInt16BE(8, 22);
  message.writeUInt8(0x01, 25);
  message.writeUInt16BE(port ^ 0x2112, 26);
  const raw = address.split(".").reduce((n, octet) => (n << 8) | Number(octet), 0) >>> 0;
  message.writeUInt32BE((raw ^ 0x2112a442) >>> 0, 28);
  return message;
}

/**
 * A STUN server on 127.0.0.1 that says every request comes from `address`, standing in for the one
 * on the internet; `ignoreFirst` drops that many requests, as a lossy network would.
 */
export async function startFakeStun(
  address: string,
  ignoreFirst = 0,
): Promise<{ port: number; requests: () => number; close: () => Promise<void> }> {
  const socket: Socket = createSocket("udp4");
  let requests = 0;
  socket.on("message", (message, from) => {
    requests++;
    if (requests <= ignoreFirst || message.length < 20) return;
    socket.send(bindingSuccess(message.subarray(8, 20), address, from.port), from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return {
    port: (socket.address() as AddressInfo).port,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
