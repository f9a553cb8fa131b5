import { getWithHost } from "../http-probe.js";

/** The commit an environment's API reports on /api/v1/version through the load balancer. */
export async function servedCommit(endpoint: { baseUrl: string; host: string }): Promise<string | undefined> {
  const answer = await getWithHost(endpoint.baseUrl, endpoint.host, "/api/v1/version");
  if (answer.status !== 200) return undefined;
  try {
    const body = JSON.parse(answer.body) as { commit?: unknown };
    return typeof body.commit === "string" ? body.commit : undefined;
  } catch {
    return undefined;
  }
}
