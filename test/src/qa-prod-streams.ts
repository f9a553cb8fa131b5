import type { LbClient } from "./lb-client.js";
import type { LoadStream } from "./load.js";

// The reliability scenarios' usual HTTP load through the load balancer: qa keep-alive, prod keep-alive
// (2 workers) and prod with a new connection per request (`fresh`, an LbClient with connections "new").

export function qaProdStreams(
  fresh: LbClient,
  hosts = { qa: "qa.localhost", prod: "localhost" },
): LoadStream[] {
  return [
    { name: "qa", workers: 1, requests: [{ host: hosts.qa, path: "/api/v1/version" }] },
    { name: "prod keep-alive", workers: 2, requests: [{ host: hosts.prod, path: "/api/v1/version" }] },
    {
      name: "prod new connection",
      workers: 1,
      client: fresh,
      requests: [{ host: hosts.prod, path: "/healthz" }],
    },
  ];
}
