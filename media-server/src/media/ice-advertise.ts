/** How this task is reached from outside: the host's address and the ports ECS (or the host) maps. */
export interface Advertisement {
  publicIp: string | undefined;
  /** bound port -> advertised port; a port not in the map is advertised as bound. */
  ports: Map<number, number>;
}

const CANDIDATE = /^(a=)?(candidate:\S+ \d+ udp \d+ )(\S+) (\d+)( typ host.*)$/i;

/** Rewrites a host candidate to the address and port the outside world must use. */
export function advertiseCandidate(candidate: string, ad: Advertisement): string {
  const m = CANDIDATE.exec(candidate);
  if (!m) return candidate;
  const [, prefix = "", head, ip, port, tail] = m;
  const mapped = ad.ports.get(Number(port)) ?? Number(port);
  // The public address is IPv4: IPv6 host candidates keep their own address.
  const address = ad.publicIp && !ip?.includes(":") ? ad.publicIp : ip;
  return `${prefix}${head}${address} ${mapped}${tail}`;
}

export function advertiseSdp(sdp: string, ad: Advertisement): string {
  if (!ad.publicIp && ad.ports.size === 0) return sdp;
  return sdp
    .split("\r\n")
    .map((line) => (line.startsWith("a=candidate:") ? advertiseCandidate(line, ad) : line))
    .join("\r\n");
}

/** A syntactically valid ICE candidate attribute (RFC 8839), without the "a=" prefix. */
export function isCandidateLine(candidate: string): boolean {
  return /^candidate:[A-Za-z0-9+/]{1,32} \d{1,5} (udp|tcp) \d{1,10} [0-9A-Za-z.:_-]{1,255} \d{1,5} typ (host|srflx|prflx|relay)( [ -~]{0,400})?$/i.test(
    candidate,
  );
}
