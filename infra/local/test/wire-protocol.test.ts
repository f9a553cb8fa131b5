import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient } from "@aws-sdk/client-ecr";
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { BuildMiddleware, MetadataBearer } from "@smithy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestRegion, type TestRegion } from "../src/testing/index.js";

// The wire through the real SDK serializers and signer: dispatch, error shapes, SigV4 verification.

let region: TestRegion;

beforeAll(async () => {
  region = await startTestRegion();
});
afterAll(async () => {
  await region.cleanup();
});

type Failure = Error & MetadataBearer & { message: string };

async function failure(promise: Promise<unknown>): Promise<Failure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as Failure,
  );
  if (!error) throw new Error("the call was expected to fail");
  return error;
}

/** Replaces the serialized body before the request is signed, so the signature stays valid. */
function withBody<T extends object>(client: T, body: string): T {
  const stack = (client as unknown as { middlewareStack: BuildStack }).middlewareStack;
  stack.add(
    (next) => async (args) => {
      const request = args.request as { body?: unknown; headers: Record<string, string> };
      request.body = body;
      request.headers["content-length"] = String(Buffer.byteLength(body));
      return next(args);
    },
    { step: "build", name: "replaceBody" },
  );
  return client;
}

interface BuildStack {
  add(middleware: BuildMiddleware<object, MetadataBearer>, options: { step: "build"; name: string }): void;
}

describe("dispatch and error shapes", () => {
  it("answers an unknown awsJson operation with UnknownOperationException", async () => {
    const ecr = region.client(ECRClient);
    (ecr.middlewareStack as unknown as BuildStack).add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers["x-amz-target"] =
          "AmazonEC2ContainerRegistry_V20150921.NoSuchThing";
        return next(args);
      },
      { step: "build", name: "replaceTarget" },
    );
    const error = await failure(ecr.send(new DescribeRepositoriesCommand({})));
    expect(error.name).toBe("UnknownOperationException");
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it("answers malformed JSON with SerializationException", async () => {
    const ecr = withBody(region.client(ECRClient), "{not json");
    const error = await failure(ecr.send(new DescribeRepositoriesCommand({})));
    expect(error.name).toBe("SerializationException");
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it("answers a wrong type with SerializationException and a missing member with ValidationException", async () => {
    const wrongType = withBody(region.client(ECRClient), JSON.stringify({ repositoryName: 42 }));
    const typed = await failure(wrongType.send(new CreateRepositoryCommand({ repositoryName: "x" })));
    expect(typed.name).toBe("SerializationException");
    expect(typed.message).toContain("repositoryName");
    const missing = withBody(region.client(ECRClient), "{}");
    const absent = await failure(missing.send(new CreateRepositoryCommand({ repositoryName: "x" })));
    expect(absent.name).toBe("ValidationException");
    expect(absent.message).toContain("repositoryName");
  });

  it("answers an unknown awsQuery action with InvalidAction in an ErrorResponse", async () => {
    const elb = withBody(
      region.client(ElasticLoadBalancingV2Client),
      "Action=DescribeNothing&Version=2015-12-01",
    );
    const error = await failure(elb.send(new DescribeLoadBalancersCommand({})));
    expect(error.name).toBe("InvalidAction");
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it("answers a malformed form with an awsQuery error, not a 500", async () => {
    const elb = withBody(
      region.client(ElasticLoadBalancingV2Client),
      "Action=DescribeLoadBalancers&Version=2015-12-01&Names.member.x=a",
    );
    const error = await failure(elb.send(new DescribeLoadBalancersCommand({})));
    expect(error.name).toBe("MalformedQueryString");
    expect(error.$metadata.httpStatusCode).toBe(400);
    const typed = withBody(
      region.client(ElasticLoadBalancingV2Client),
      "Action=DescribeLoadBalancers&Version=2015-12-01&PageSize=many",
    );
    const typeError = await failure(typed.send(new DescribeLoadBalancersCommand({})));
    expect(typeError.name).toBe("ValidationError");
  });

  it("refuses a body over the size limit with 413", async () => {
    const res = await fetch(region.endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonSSM.GetParameter" },
      body: "x".repeat(65 * 1024 * 1024),
    });
    expect(res.status).toBe(413);
  });
});

describe("SigV4", () => {
  it("answers an unsigned awsJson request with 403 MissingAuthenticationTokenException", async () => {
    const res = await fetch(region.endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories",
      },
      body: "{}",
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ __type: "MissingAuthenticationTokenException" });
  });

  it("answers an unsigned awsQuery request with 403 MissingAuthenticationToken", async () => {
    const res = await fetch(region.endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=DescribeLoadBalancers&Version=2015-12-01",
    });
    expect(res.status).toBe(403);
    const xml = await res.text();
    expect(xml).toContain("<Code>MissingAuthenticationToken</Code>");
    expect(xml).toContain("<Type>Sender</Type>");
  });

  it("answers a wrong secret with InvalidSignatureException (json) and SignatureDoesNotMatch (query)", async () => {
    const credentials = {
      accessKeyId: region.credentials.accessKeyId,
      secretAccessKey: "wrong-secret-wrong-secret-wrong-secret00",
    };
    const ecr = await failure(
      region.client(ECRClient, { credentials }).send(new DescribeRepositoriesCommand({})),
    );
    expect(ecr.name).toBe("InvalidSignatureException");
    expect(ecr.$metadata.httpStatusCode).toBe(403);
    const elb = await failure(
      region.client(ElasticLoadBalancingV2Client, { credentials }).send(new DescribeLoadBalancersCommand({})),
    );
    expect(elb.name).toBe("SignatureDoesNotMatch");
    expect(elb.$metadata.httpStatusCode).toBe(403);
  });

  it("answers an unknown access key with UnrecognizedClientException (json) and InvalidClientTokenId (query)", async () => {
    const credentials = {
      accessKeyId: "AKIAUNKNOWNUNKNOWN00",
      secretAccessKey: region.credentials.secretAccessKey,
    };
    const ecr = await failure(
      region.client(ECRClient, { credentials }).send(new DescribeRepositoriesCommand({})),
    );
    expect(ecr.name).toBe("UnrecognizedClientException");
    const elb = await failure(
      region.client(ElasticLoadBalancingV2Client, { credentials }).send(new DescribeLoadBalancersCommand({})),
    );
    expect(elb.name).toBe("InvalidClientTokenId");
  });

  it("answers a signature dated more than 15 minutes ago with 'Signature expired'", async () => {
    const ecr = region.client(ECRClient, { systemClockOffset: -20 * 60 * 1000 });
    const error = await failure(ecr.send(new DescribeRepositoriesCommand({})));
    expect(error.name).toBe("InvalidSignatureException");
    expect(error.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than/);
    expect(error.$metadata.httpStatusCode).toBe(403);
  });

  it("lets the SDK correct its clock from the Date header and retry, as with AWS", async () => {
    const ecr = region.client(ECRClient, { systemClockOffset: -20 * 60 * 1000, maxAttempts: 2 });
    const out = await ecr.send(new DescribeRepositoriesCommand({}));
    expect(out.repositories).toEqual([]);
  });

  it("accepts any region name in the signature", async () => {
    const out = await region
      .client(ECRClient, { region: "ap-southeast-7" })
      .send(new DescribeRepositoriesCommand({}));
    expect(out.$metadata.httpStatusCode).toBe(200);
  });
});
