import { createSocket, type Socket } from "node:dgram";
import { RtpPacket } from "werift";
import { VP8_PAYLOAD_TYPE } from "./gst-pipeline.js";
import { OPUS_PAYLOAD_TYPE } from "./recording-argv.js";
import type { RtpPeer } from "./route-runner.js";

type Listener = (packet: RtpPacket) => void;

/**
 * The side of a PlayerEndpoint or RecorderEndpoint the route runner talks to: the same surface as
 * a WebRTC peer (RTP in and out, keyframe requests), over UDP on 127.0.0.1 to a local process
 * (the player's ffmpeg, the recorder's gst-launch) instead of a browser.
 */
export class RtpPort implements RtpPeer {
  readonly onVideo: Listener[] = [];
  readonly onAudio: Listener[] = [];
  readonly onKeyframeRequest: Array<() => void> = [];
  /** Whether audio has come through since the port was created (a recorder adds a track for it). */
  audioSeen = false;
  /** Where sent media goes; undefined drops it (a recorder not recording). */
  target: { videoPort: number | undefined; audioPort: number | undefined } | undefined;
  private readonly sockets: Socket[] = [];
  private out: Socket | undefined;

  /** Binds loopback ports a process sends RTP to; what arrives goes to onVideo / onAudio. */
  async receive(): Promise<{ videoPort: number; audioPort: number }> {
    const video = await this.bind((p) => this.each(this.onVideo, p));
    const audio = await this.bind((p) => this.each(this.onAudio, p));
    return { videoPort: video.address().port, audioPort: audio.address().port };
  }

  sendVideo(packet: RtpPacket): void {
    this.send(packet, VP8_PAYLOAD_TYPE, this.target?.videoPort);
  }

  sendAudio(packet: RtpPacket): void {
    this.audioSeen = true;
    this.send(packet, OPUS_PAYLOAD_TYPE, this.target?.audioPort);
  }

  /** A file (or a recording) has its keyframes where they are; nobody to ask. */
  requestKeyframe(): void {}

  close(): void {
    for (const socket of this.sockets.splice(0)) socket.close();
    this.out = undefined;
  }

  private each(listeners: Listener[], buf: Buffer): void {
    let packet: RtpPacket;
    try {
      packet = RtpPacket.deSerialize(buf);
    } catch {
      return; // only our own process writes to these ports
    }
    for (const listener of listeners) listener(packet);
  }

  private send(packet: RtpPacket, payloadType: number, port: number | undefined): void {
    if (port === undefined) return;
    const buf = packet.serialize();
    buf[1] = (buf[1]! & 0x80) | payloadType;
    this.out ??= this.socket();
    this.out.send(buf, port, "127.0.0.1");
  }

  private socket(): Socket {
    const socket = createSocket("udp4");
    socket.on("error", () => {}); // a recorder process that went away: its packets are dropped
    this.sockets.push(socket);
    return socket;
  }

  private bind(onMessage: (buf: Buffer) => void): Promise<Socket> {
    const socket = this.socket();
    socket.on("message", onMessage);
    return new Promise((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(0, "127.0.0.1", () => resolve(socket));
    });
  }
}

/** Ports a local process can bind: the OS picks them (all at once, so they differ), we hand them over. */
export async function freeLoopbackPorts(n: number): Promise<number[]> {
  const sockets = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const socket = createSocket("udp4");
          socket.once("error", reject);
          socket.bind(0, "127.0.0.1", () => resolve(socket));
        }),
    ),
  );
  const ports = sockets.map((s) => s.address().port);
  await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}
