import ipaddr from "ipaddr.js";

// Which addresses an input URL may reach: public unicast only. Loopback, private (10/8, 172.16/12,
// 192.168/16), link-local (169.254.169.254, the cloud metadata service), unique-local, carrier-grade
// NAT, multicast, unspecified and every other special range are refused, also as IPv4-mapped IPv6.

export type AddressPolicy = (address: string, port: number | undefined) => boolean;

export function rangeOf(address: string): string {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range();
}

export const publicUnicastOnly: AddressPolicy = (address) => {
  try {
    return rangeOf(address) === "unicast";
  } catch {
    return false;
  }
};

/** A URL host that is an IP literal (`[::1]` included), else undefined. */
export function literalAddress(hostname: string): string | undefined {
  const bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) && /^[0-9a-fA-F:.]+$/.test(bare) ? bare : undefined;
}
