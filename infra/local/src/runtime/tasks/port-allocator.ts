import { createSocket } from "node:dgram";
import { createServer } from "node:net";

// Host ports for tasks: hostPort 0 gets the next free port of the range (round robin, so a port
// just released while its target drains is not handed out again at once); a fixed hostPort is
// honoured or refused when taken, as the ECS agent does.

export type Protocol = "tcp" | "udp";

export class PortInUseError extends Error {}

export class PortAllocator {
  private readonly taken = new Set<string>();
  private cursor: number;

  constructor(
    private readonly range: { from: number; to: number },
    private readonly probe: (port: number, protocol: Protocol) => Promise<boolean> = isPortFree,
  ) {
    this.cursor = range.from;
  }

  /** Allocates `hostPort` when given (non-zero), else a free port of the range. */
  async allocate(hostPort: number, protocol: Protocol): Promise<number> {
    if (hostPort !== 0) {
      if (this.taken.has(key(hostPort, protocol)) || !(await this.probe(hostPort, protocol))) {
        throw new PortInUseError(`host port ${hostPort}/${protocol} is already in use`);
      }
      this.taken.add(key(hostPort, protocol));
      return hostPort;
    }
    const size = this.range.to - this.range.from + 1;
    for (let tried = 0; tried < size; tried++) {
      const port = this.cursor;
      this.cursor = port >= this.range.to ? this.range.from : port + 1;
      if (this.taken.has(key(port, protocol))) continue;
      // Reserve before probing so two concurrent allocations never pick the same port.
      this.taken.add(key(port, protocol));
      if (await this.probe(port, protocol)) return port;
      this.taken.delete(key(port, protocol));
    }
    throw new PortInUseError(`no free ${protocol} host port left in ${this.range.from}-${this.range.to}`);
  }

  /**
   * `count` consecutive free ports of the range. A media server binds its UDP ports as one range
   * (lowest to highest mapped port), so a task's dynamic UDP mappings must not interleave with
   * another task's.
   */
  async allocateBlock(count: number, protocol: Protocol): Promise<number[]> {
    const size = this.range.to - this.range.from + 1;
    for (let tried = 0; tried < size; tried++) {
      const start = this.cursor;
      this.cursor = start >= this.range.to ? this.range.from : start + 1;
      if (start + count - 1 > this.range.to) continue;
      const ports = Array.from({ length: count }, (_, i) => start + i);
      if (ports.some((port) => this.taken.has(key(port, protocol)))) continue;
      for (const port of ports) this.taken.add(key(port, protocol));
      const free = await Promise.all(ports.map((port) => this.probe(port, protocol)));
      if (free.every(Boolean)) {
        this.cursor = start + count > this.range.to ? this.range.from : start + count;
        return ports;
      }
      for (const port of ports) this.taken.delete(key(port, protocol));
    }
    throw new PortInUseError(
      `no ${count} consecutive free ${protocol} host ports left in ${this.range.from}-${this.range.to}`,
    );
  }

  release(port: number, protocol: Protocol): void {
    this.taken.delete(key(port, protocol));
  }

  /** Marks a port as used without probing (a task found running after a restart). */
  claim(port: number, protocol: Protocol): void {
    this.taken.add(key(port, protocol));
  }

  get inUse(): number {
    return this.taken.size;
  }
}

const key = (port: number, protocol: Protocol) => `${port}/${protocol}`;

/** Whether nothing listens on the port (on any local address, like Docker's published ports). */
export function isPortFree(port: number, protocol: Protocol): Promise<boolean> {
  return new Promise((resolve) => {
    if (protocol === "udp") {
      const socket = createSocket("udp4");
      socket.once("error", () => resolve(false));
      socket.bind(port, "0.0.0.0", () => socket.close(() => resolve(true)));
      return;
    }
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "0.0.0.0", exclusive: true }, () => server.close(() => resolve(true)));
  });
}
