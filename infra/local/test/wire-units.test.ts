import { describe, expect, it } from "vitest";
import { decodeQueryForm, encodeQueryResponse, XmlMap } from "../src/wire/query-codec.js";
import { AuthFailure, verifySigV4 } from "../src/wire/sigv4.js";

// AWS's published SigV4 example ("get-vanilla") and the awsQuery codec, without a server.

const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const vanilla = () => ({
  method: "GET",
  url: "/",
  headers: {
    host: "example.amazonaws.com",
    "x-amz-date": "20150830T123600Z",
    authorization:
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
  } as Record<string, string>,
  body: Buffer.alloc(0),
});
const at = new Date("2015-08-30T12:36:00Z");
const secretFor = (key: string) => (key === "AKIDEXAMPLE" ? SECRET : undefined);

function kind(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof AuthFailure ? error.kind : "other";
  }
}

describe("SigV4 verification", () => {
  it("accepts AWS's get-vanilla example", () => {
    expect(verifySigV4(vanilla(), secretFor, at)).toEqual({
      accessKeyId: "AKIDEXAMPLE",
      region: "us-east-1",
      service: "service",
    });
  });

  it("refuses a changed signed header, method, body or secret", () => {
    const host = vanilla();
    host.headers.host = "other.amazonaws.com";
    expect(kind(() => verifySigV4(host, secretFor, at))).toBe("mismatch");
    expect(kind(() => verifySigV4({ ...vanilla(), method: "POST" }, secretFor, at))).toBe("mismatch");
    expect(kind(() => verifySigV4({ ...vanilla(), body: Buffer.from("x") }, secretFor, at))).toBe("mismatch");
    expect(kind(() => verifySigV4(vanilla(), () => "not-the-secret", at))).toBe("mismatch");
  });

  it("classifies missing, malformed, unknown-key and expired requests", () => {
    const unsigned = vanilla();
    delete unsigned.headers.authorization;
    expect(kind(() => verifySigV4(unsigned, secretFor, at))).toBe("missing");
    const malformed = vanilla();
    malformed.headers.authorization =
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";
    expect(kind(() => verifySigV4(malformed, secretFor, at))).toBe("incomplete");
    expect(kind(() => verifySigV4(vanilla(), () => undefined, at))).toBe("unknownKey");
    expect(kind(() => verifySigV4(vanilla(), secretFor, new Date(at.getTime() + 16 * 60_000)))).toBe(
      "expired",
    );
    expect(kind(() => verifySigV4(vanilla(), secretFor, new Date(at.getTime() - 16 * 60_000)))).toBe(
      "expired",
    );
    expect(
      kind(() => verifySigV4(vanilla(), secretFor, new Date(at.getTime() + 14 * 60_000))),
    ).toBeUndefined();
  });
});

describe("awsQuery codec", () => {
  it("decodes members and entries into the SDK's input shapes", () => {
    const form = decodeQueryForm(
      "Action=RegisterTargets&Version=2015-12-01&TargetGroupArn=arn%3Ax&Targets.member.2.Id=i-2&Targets.member.1.Id=i-1&Targets.member.1.Port=80&Attributes.entry.1.key=k&Attributes.entry.1.value=v&Empty=",
    );
    expect(form.action).toBe("RegisterTargets");
    expect(form.version).toBe("2015-12-01");
    expect(form.input).toEqual({
      TargetGroupArn: "arn:x",
      Targets: [{ Id: "i-1", Port: "80" }, { Id: "i-2" }],
      Attributes: { k: "v" },
      Empty: "",
    });
  });

  it("decodes a map whose entries name their parts (SNS MessageAttributes: Name, Value)", () => {
    const form = decodeQueryForm(
      "Action=Publish&MessageAttributes.entry.1.Name=k&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=v",
    );
    expect(form.input).toEqual({ MessageAttributes: { k: { DataType: "String", StringValue: "v" } } });
  });

  it("refuses prototype keys and bad member indexes", () => {
    expect(() => decodeQueryForm("Action=A&__proto__.x=1")).toThrow(/invalid parameter name/);
    expect(() => decodeQueryForm("Action=A&L.member.0=1")).toThrow(/invalid member index/);
  });

  it("writes results with lists as <member>, maps as <entry>, escaped text and ISO dates", () => {
    const xml = encodeQueryResponse(
      "DescribeThings",
      "urn:ns",
      {
        Things: [{ Name: "a<b" }],
        When: new Date("2026-01-01T00:00:00Z"),
        Attrs: new XmlMap({ k: "v" }),
        Skip: undefined,
      },
      "rid",
    );
    expect(xml).toContain('<DescribeThingsResponse xmlns="urn:ns"><DescribeThingsResult>');
    expect(xml).toContain("<Things><member><Name>a&lt;b</Name></member></Things>");
    expect(xml).toContain("<When>2026-01-01T00:00:00.000Z</When>");
    expect(xml).toContain("<Attrs><entry><key>k</key><value>v</value></entry></Attrs>");
    expect(xml).not.toContain("Skip");
    expect(xml).toContain("<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata>");
  });
});
