import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TaskCredentials } from "../../contracts.js";
import type { AccessKey } from "../../credentials.js";

// The task role credentials endpoint, as ECS's agent serves it (`/v2/credentials/<id>`, JSON with
// AccessKeyId, SecretAccessKey, Token, Expiration, RoleArn), on the region's endpoint. The region
// has one key, so every task gets it; the Authorization token, an HMAC of the task id under the
// region's secret, keeps the URL from being read by anything that did not get the task's environment.

export const CREDENTIALS_PREFIX = "/v2/credentials/";
/** ECS's agent hands out credentials valid for hours and refreshes them; SDKs refresh before Expiration. */
const VALID_FOR_MS = 6 * 3_600_000;

export class TaskCredentialsEndpoint implements TaskCredentials {
  constructor(
    private readonly endpoint: string,
    private readonly key: AccessKey,
    private readonly now: () => number = Date.now,
  ) {}

  forTask(taskId: string): { fullUri: string; authorizationToken: string } {
    return {
      fullUri: `${this.endpoint}${CREDENTIALS_PREFIX}${encodeURIComponent(taskId)}`,
      authorizationToken: this.token(taskId),
    };
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const taskId = decodeURIComponent((req.url ?? "").split("?")[0]!.slice(CREDENTIALS_PREFIX.length));
    const given = req.headers.authorization ?? "";
    if (req.method !== "GET" || !taskId || !this.matches(given, this.token(taskId))) {
      send(res, 401, { code: "AccessDeniedException", message: "Invalid task credentials request" });
      return;
    }
    send(res, 200, {
      RoleArn: "arn:aws:iam::000000000000:role/local-region-task",
      AccessKeyId: this.key.accessKeyId,
      SecretAccessKey: this.key.secretAccessKey,
      Token: `local-region-task-${taskId}`,
      Expiration: new Date(this.now() + VALID_FOR_MS).toISOString(),
    });
  }

  private token(taskId: string): string {
    return createHmac("sha256", this.key.secretAccessKey).update(`task-credentials:${taskId}`).digest("hex");
  }

  private matches(given: string, expected: string): boolean {
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
