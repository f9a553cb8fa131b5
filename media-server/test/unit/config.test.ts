import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { parseContainerMetadata } from "../../src/http/ecs-metadata.js";

describe("configuration", () => {
  it("has Kurento-like defaults", () => {
    const c = loadConfig({}, "/srv/public");
    expect(c).toMatchObject({
      host: "0.0.0.0",
      port: 8888,
      sessionTimeoutMs: 240_000,
      stopTimeoutMs: 80_000,
    });
    expect(c.mediaUdpPorts).toBeUndefined();
  });

  it("binds the host ports the local task runner hands over", () => {
    const c = loadConfig(
      { HOST_PORT_50000_UDP: "41010", HOST_PORT_50001_UDP: "41011", HOST_PORT_8888: "40001" },
      "/p",
    );
    expect(c.mediaUdpPorts).toEqual([41010, 41011]);
    expect([...c.advertisedPorts]).toEqual([
      [41010, 41010],
      [41011, 41011],
    ]);
  });

  it("says which variable is wrong", () => {
    expect(() => loadConfig({ MEDIA_UDP_PORTS: "9-3" }, "/p")).toThrow(/MEDIA_UDP_PORTS/);
    expect(() => loadConfig({ PORT: "http" }, "/p")).toThrow(/PORT/);
    expect(() => loadConfig({ TURN_URL: "http://x" }, "/p")).toThrow(/TURN_URL/);
  });

  it("reads the UDP port mappings and image from ECS task metadata v4", () => {
    const task = parseContainerMetadata({
      Image: "123.dkr.ecr.eu-west-1.amazonaws.com/media-server-prod:v7",
      Ports: [
        { ContainerPort: 8888, HostPort: 32768, Protocol: "tcp", HostIp: "0.0.0.0" },
        { ContainerPort: 50000, HostPort: 32769, Protocol: "udp", HostIp: "10.0.1.23" },
      ],
    });
    expect(task.image).toBe("123.dkr.ecr.eu-west-1.amazonaws.com/media-server-prod:v7");
    expect([...task.udpPorts]).toEqual([[50000, 32769]]);
    expect(task.hostIp).toBe("10.0.1.23");
  });
});
