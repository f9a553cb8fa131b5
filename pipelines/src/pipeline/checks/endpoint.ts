// Where a functional check reaches an environment: the load balancer's base URL (production or test
// listener) and the environment's host name, which selects the environment by host rule.

export interface CheckEndpoint {
  baseUrl: string;
  host: string;
}

/** The local region's names (localhost, *.localhost): loopback, with a self-signed certificate. */
export function isLocalName(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost");
}

/** The URL a browser opens: the environment's name on the base URL's scheme and port. */
export function browserUrl(endpoint: CheckEndpoint, path: string): string {
  const base = new URL(endpoint.baseUrl);
  const url = new URL(path, base);
  url.hostname = endpoint.host;
  return url.toString();
}

/**
 * Names the browser must resolve elsewhere: the environment's host to the base URL's address when
 * they differ. Chromium resolves *.localhost to loopback itself.
 */
export function hostMapFor(endpoint: CheckEndpoint): Record<string, string> {
  const address = new URL(endpoint.baseUrl).hostname;
  if (address === endpoint.host || isLocalName(endpoint.host)) return {};
  return { [endpoint.host]: address };
}
