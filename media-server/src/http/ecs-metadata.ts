/**
 * What the ECS task metadata endpoint (v4, read by @platform/telemetry) tells the server about
 * itself: its image, and in bridge mode the host ports ECS mapped to its UDP container ports and
 * the host's address.
 */
export interface TaskNetwork {
  image: string | undefined;
  hostIp: string | undefined;
  udpPorts: Map<number, number>;
}

interface ContainerMetadata {
  Image?: string;
  Ports?: Array<{ ContainerPort?: number; HostPort?: number; Protocol?: string; HostIp?: string }>;
  Networks?: Array<{ IPv4Addresses?: string[] }>;
}

export function parseContainerMetadata(json: unknown): TaskNetwork {
  const c = (json ?? {}) as ContainerMetadata;
  const udpPorts = new Map<number, number>();
  for (const p of c.Ports ?? []) {
    if (p.Protocol === "udp" && p.ContainerPort && p.HostPort) udpPorts.set(p.ContainerPort, p.HostPort);
  }
  const hostIp = (c.Ports ?? []).map((p) => p.HostIp).find((ip) => ip && ip !== "0.0.0.0");
  return { image: c.Image, hostIp, udpPorts };
}

/** The instance's public IPv4 from EC2 IMDSv2, for the candidates browsers must reach. */
export async function fetchInstancePublicIp(): Promise<string | undefined> {
  const imds = "http://169.254.169.254/latest";
  try {
    const token = await fetch(`${imds}/api/token`, {
      method: "PUT",
      headers: { "X-aws-ec2-metadata-token-ttl-seconds": "60" },
      signal: AbortSignal.timeout(1000),
    }).then((r) => r.text());
    const r = await fetch(`${imds}/meta-data/public-ipv4`, {
      headers: { "X-aws-ec2-metadata-token": token },
      signal: AbortSignal.timeout(1000),
    });
    return r.ok ? (await r.text()).trim() : undefined;
  } catch {
    return undefined;
  }
}
