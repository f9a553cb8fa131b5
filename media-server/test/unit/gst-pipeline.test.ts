import { describe, expect, it } from "vitest";
import { element, elementArgv } from "../../src/media/gst-element.js";
import { gstLaunchArgv } from "../../src/media/gst-pipeline.js";
import { parseBusLine, parseLatencyLine } from "../../src/media/gst-process.js";
import { parseFaces } from "../../src/objects/filters.js";

describe("gst-launch argv", () => {
  const argv = gstLaunchArgv([
    {
      inPort: 5000,
      outPort: 5002,
      filters: [
        { name: "r0f0", inline: [element("edgedetect", { name: "r0f0_edge", threshold1: 50 })] },
        { name: "r0f1", inline: [], analysis: [element("zbar", { name: "r0f1_zbar" })] },
      ],
    },
  ]);

  it("decodes, filters, re-encodes with real-time VP8 settings, one token per argv entry", () => {
    const text = argv.join(" ");
    expect(text).toMatch(
      /^-m -e udpsrc address=127\.0\.0\.1 port=5000 caps=application\/x-rtp,.*encoding-name=VP8/,
    );
    expect(text).toContain("! rtpvp8depay ! vp8dec");
    expect(text).toContain("! edgedetect name=r0f0_edge threshold1=50 ! videoconvert");
    expect(text).toMatch(/vp8enc deadline=1 cpu-used=\d+ lag-in-frames=0/);
    expect(text).toContain("udpsink host=127.0.0.1 port=5002");
    expect(argv.every((token) => !token.includes(" "))).toBe(true);
  });

  it("decodes on the socket's thread and filters and encodes on another, behind a one-frame leaky queue", () => {
    expect(argv.join(" ")).toContain(
      "! vp8dec threads=1 ! queue max-size-buffers=1 leaky=downstream ! videoconvert ! queue",
    );
    const paced = gstLaunchArgv([{ inPort: 5000, outPort: 5002, filters: [], paced: true }]).join(" ");
    expect(paced).toContain("! vp8dec threads=1 ! queue ! videoconvert ! vp8enc");
  });

  it("runs analysis on a leaky side branch of a tee", () => {
    const text = argv.join(" ");
    expect(text).toContain("tee name=r0f1_tee");
    expect(text).toMatch(
      /r0f1_tee\. ! queue name=r0f1_aq max-size-buffers=1 leaky=downstream ! zbar name=r0f1_zbar ! fakesink/,
    );
  });

  it("thins an analysis to its frame rate on the video's side of its queue", () => {
    const text = gstLaunchArgv([
      {
        inPort: 5000,
        outPort: 5002,
        filters: [{ name: "r0f0", inline: [], analysis: [element("facedetect")], analysisFps: 10 }],
      },
    ]).join(" ");
    expect(text).toContain(
      "r0f0_tee. ! videorate ! capsfilter caps=video/x-raw,framerate=10/1 ! queue name=r0f0_aq max-size-buffers=1 leaky=downstream ! facedetect",
    );
  });

  it("refuses a property value that could change the pipeline's meaning", () => {
    expect(() => elementArgv(element("videoflip", { method: "x ! filesink location=/tmp/a" }))).toThrow(
      /unsafe/,
    );
    expect(() => elementArgv(element("videoflip", { method: 'a"b' }))).toThrow(/unsafe/);
  });
});

describe("bus messages", () => {
  it("reads element messages printed by gst-launch -m", () => {
    const line =
      'Got message #88 from element "r0f1_zbar" (element): barcode, timestamp=(guint64)33333333, type=(string)QR-Code, symbol=(string)"hello\\ world", quality=(int)1;';
    expect(parseBusLine(line)).toEqual({
      element: "r0f1_zbar",
      structure: "barcode",
      text: expect.stringContaining("symbol=(string)"),
    });
    expect(parseBusLine('Got message #51 from pad "x:src" (stream-status): ...')).toBeUndefined();
  });

  it("reads the latency tracer's udpsrc → udpsink times and ignores other sinks", () => {
    const line = (sink: string) =>
      `0:00:01.4 1 0x1 TRACE GST_TRACER :0:: latency, src-element-id=(string)0x2, src-element=(string)udpsrc0, src=(string)src, sink-element-id=(string)0x3, sink-element=(string)${sink}, sink=(string)sink, time=(guint64)8123456, ts=(guint64)1;`;
    expect(parseLatencyLine(line("udpsink0"))).toBe(8_123_456);
    expect(parseLatencyLine(line("fakesink0"))).toBeUndefined();
  });

  it("reads face boxes from facedetect messages", () => {
    const text =
      ', faces=(structure)< "face\\,\\ x\\=\\(uint\\)120\\,\\ y\\=\\(uint\\)80\\,\\ width\\=\\(uint\\)64\\,\\ height\\=\\(uint\\)70\\;" >;';
    expect(parseFaces(text)).toEqual([{ x: 120, y: 80, width: 64, height: 70 }]);
    expect(parseFaces(", faces=(int){  };")).toEqual([]);
  });
});
