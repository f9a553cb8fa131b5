import { describe, expect, it } from "vitest";
import { parseGStreamerCommand } from "../../src/objects/gstreamer-filter-allowlist.js";
import { RpcError } from "../../src/protocol/errors.js";

describe("GStreamerFilter allowlist", () => {
  it("accepts one allowlisted element with validated properties", () => {
    expect(parseGStreamerCommand("videoflip method=horizontal-flip")).toEqual({
      factory: "videoflip",
      props: { method: "horizontal-flip" },
    });
    expect(parseGStreamerCommand("videobalance saturation=0.0")).toEqual({
      factory: "videobalance",
      props: { saturation: 0 },
    });
    expect(parseGStreamerCommand("  edgetv ")).toEqual({ factory: "edgetv", props: {} });
  });

  it.each([
    ["filesrc location=/etc/passwd", /element 'filesrc' is not allowed/],
    ["multifilesink location=/tmp/x%d.png", /element 'multifilesink' is not allowed/],
    ["udpsink host=1.2.3.4 port=9", /element 'udpsink' is not allowed/],
    ["tcpserversrc port=4444", /element 'tcpserversrc' is not allowed/],
    ["videoflip ! filesink location=/tmp/x", /only one element/],
    ["videoflip method=horizontal-flip ! fakesink", /only one element/],
    ["videoflip name=x", /property 'name' of 'videoflip' is not allowed/],
    ["videobalance location=/etc/passwd", /property 'location'/],
    ["videobalance saturation=9", /'saturation' must be a number from 0 to 2/],
    ["videobalance saturation=1e3", /'saturation' must be a number/],
    ["videoflip method=explode", /'method' must be one of/],
    ['videoflip method="horizontal-flip"', /quotes or shell characters/],
    ["videoflip method=horizontal-flip; rm -rf /", /quotes or shell characters/],
    ["videoflip method", /not a property=value pair/],
    ["", /it is empty/],
    ["x".repeat(300), /longer than 200/],
  ])("refuses %j", (command, why) => {
    let error: unknown;
    try {
      parseGStreamerCommand(command);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(40107);
    expect((error as RpcError).message).toMatch(why);
  });
});
