import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { HttpResponse } from "@smithy/core/protocols";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type ClientOverrides, createClients } from "../../src/ecs/aws/clients.js";
import { EcsGateway } from "../../src/ecs/aws/ecs.js";
import { isTransient, MAX_ATTEMPTS, type RetryBackoff } from "../../src/ecs/aws/retry.js";

// Retries counted on the wire: a real ECS client with its whole middleware stack over a fake HTTP
// handler. (aws-sdk-client-mock replaces `send`, which would skip the SDK's retry strategy, the very
// thing under test.) One strategy, so a throttled call is sent MAX_ATTEMPTS times, never more.

interface Reply {
  status: number;
  body: unknown;
}

const throttled: Reply = { status: 400, body: { __type: "ThrottlingException", message: "Rate exceeded" } };
const serving: Reply = { status: 200, body: { services: [{ serviceName: "api-qa", status: "ACTIVE" }] } };
const noWait: RetryBackoff = { computeNextBackoffDelay: () => 0, setDelayBase: () => undefined };

/** An HTTP handler that answers with `replies` in turn (the last one again once they run out). */
function fakeEndpoint(replies: Reply[]) {
  const requests: { attempt: string | undefined }[] = [];
  const requestHandler = {
    async handle(request: { headers: Record<string, string> }) {
      requests.push({ attempt: request.headers["amz-sdk-request"] });
      const reply = replies[Math.min(requests.length, replies.length) - 1]!;
      return {
        response: new HttpResponse({
          statusCode: reply.status,
          headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "fake" },
          body: Buffer.from(JSON.stringify(reply.body)),
        }),
      };
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
  return { requests, requestHandler };
}

function gatewayTo(replies: Reply[], overrides: ClientOverrides = { retryBackoff: noWait }) {
  const endpoint = fakeEndpoint(replies);
  const clients = createClients(
    { region: "eu-west-1" },
    {
      credentials: { accessKeyId: "AKIAFAKEFAKEFAKEFAKE", secretAccessKey: "fake" },
      requestHandler: endpoint.requestHandler,
      ...overrides,
    },
  );
  return { ...endpoint, clients, gateway: new EcsGateway(clients.ecs) };
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("one retry strategy: the SDK's", () => {
  it("sends a call that is always throttled exactly MAX_ATTEMPTS times, then fails", async () => {
    const { requests, gateway } = gatewayTo([throttled]);
    const error = await gateway.service("platform", "api-qa").catch((e: Error) => e);
    expect(error).toMatchObject({ name: "ThrottlingException", $metadata: { attempts: MAX_ATTEMPTS } });
    expect(requests).toHaveLength(MAX_ATTEMPTS);
    // Two stacked strategies (the SDK's 5 inside a loop of 6) once made this 30.
    expect(MAX_ATTEMPTS).toBe(8);
    expect(requests.at(-1)?.attempt).toBe(`attempt=${MAX_ATTEMPTS}; max=${MAX_ATTEMPTS}`);
  });

  it("answers on the attempt after the throttling stops", async () => {
    const { requests, gateway } = gatewayTo([throttled, throttled, throttled, serving]);
    const service = await gateway.service("platform", "api-qa");
    expect(service.serviceName).toBe("api-qa");
    expect(requests.map((r) => r.attempt)).toEqual(
      [1, 2, 3, 4].map((n) => `attempt=${n}; max=${MAX_ATTEMPTS}`),
    );
  });

  it("tries a call that fails for good once", async () => {
    const notFound = {
      status: 400,
      body: { __type: "ClusterNotFoundException", message: "Cluster not found." },
    };
    const { requests, gateway } = gatewayTo([notFound, serving]);
    const error = await gateway.service("elsewhere", "api-qa").catch((e: Error) => e);
    expect(error).toMatchObject({ name: "ClusterNotFoundException", $metadata: { attempts: 1 } });
    expect(requests).toHaveLength(1);
  });

  it("retries a server error as well", async () => {
    const unavailable = { status: 503, body: { __type: "ServerException", message: "try again" } };
    const { requests, gateway } = gatewayTo([unavailable, serving]);
    expect((await gateway.service("platform", "api-qa")).serviceName).toBe("api-qa");
    expect(requests).toHaveLength(2);
  });

  it("waits between throttled attempts by the SDK's own backoff when nothing overrides it", async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const { requests, clients } = gatewayTo([throttled, throttled, serving], {});
    const answer = clients.ecs.send(
      new DescribeServicesCommand({ cluster: "platform", services: ["api-qa"] }),
    );
    await vi.runAllTimersAsync();
    const { $metadata } = await answer;
    expect(requests).toHaveLength(3);
    expect($metadata.attempts).toBe(3);
    expect($metadata.totalRetryDelay).toBeGreaterThan(0);
  });
});

describe("a failed look at a service", () => {
  it("is worth another look when the SDK would retry the error, not when it is final", () => {
    const named = (name: string, extra: object = {}) => Object.assign(new Error(name), { name, ...extra });
    expect(isTransient(named("ThrottlingException"))).toBe(true);
    expect(isTransient(named("Whatever", { $metadata: { httpStatusCode: 429 } }))).toBe(true);
    expect(isTransient(named("InternalError", { $metadata: { httpStatusCode: 500 } }))).toBe(true);
    expect(isTransient(named("Error", { code: "ECONNRESET" }))).toBe(true);
    const notFound = named("ClusterNotFoundException", { $metadata: { httpStatusCode: 400 } });
    expect(isTransient(notFound)).toBe(false);
    expect(isTransient("not an error")).toBe(false);
  });
});
