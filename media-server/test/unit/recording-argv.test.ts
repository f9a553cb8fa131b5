import { describe, expect, it } from "vitest";
import { element } from "../../src/media/gst-element.js";
import { gstLaunchArgv } from "../../src/media/gst-pipeline.js";
import { playerArgv, recorderArgv, remuxArgv } from "../../src/media/recording-argv.js";
import { FolderStore, pathInside } from "../../src/recording/recording-store.js";

describe("recorder and player command lines", () => {
  it("records VP8 and Opus from two loopback ports into one WebM, EOS on SIGINT (-e)", () => {
    const text = recorderArgv({ videoPort: 6000, audioPort: 6002, file: "/rec/a.webm.raw.webm" }).join(" ");
    expect(text).toMatch(/^-m -e webmmux name=mux ! filesink location=\/rec\/a\.webm\.raw\.webm/);
    expect(text).toContain("udpsrc address=127.0.0.1 port=6000 caps=application/x-rtp,media=video");
    expect(text).toContain("! rtpjitterbuffer latency=100 mode=none ! rtpvp8depay ! queue ! mux.");
    expect(text).toContain(
      "port=6002 caps=application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS",
    );
  });

  it("leaves out the track a profile does not record", () => {
    const text = recorderArgv({ videoPort: 6000, audioPort: undefined, file: "/rec/a" }).join(" ");
    expect(text).not.toContain("OPUS");
  });

  it("refuses a file path gst-launch could read as more than a value", () => {
    expect(() => recorderArgv({ videoPort: 1, audioPort: undefined, file: "/rec/a b ! filesrc" })).toThrow(
      /unsafe/,
    );
  });

  it("remuxes with -c copy and cues in front", () => {
    expect(remuxArgv("in", "out").join(" ")).toContain("-i in -c copy -cues_to_front 1 -f webm out");
  });

  it("plays in real time from a position, copying VP8 or encoding it", () => {
    const copy = playerArgv({
      file: "/f.webm",
      positionMs: 1500,
      copyVideo: true,
      videoPort: 7000,
      audioPort: undefined,
    });
    expect(copy.join(" ")).toContain("-re -ss 1.500 -i /f.webm -map 0:v:0 -c:v copy -f rtp");
    expect(copy.at(-1)).toBe("rtp://127.0.0.1:7000?pkt_size=1200");
    const encoded = playerArgv({
      file: "/f.mp4",
      positionMs: 0,
      copyVideo: false,
      videoPort: 7000,
      audioPort: 7002,
    });
    expect(encoded).not.toContain("-ss");
    expect(encoded.join(" ")).toContain("-c:v libvpx -deadline realtime");
    expect(encoded.join(" ")).toContain("-c:a libopus");
  });
});

describe("filters fed by a player", () => {
  it("queue without leaking, where a live source's filters drop late frames", () => {
    const filters = [{ name: "r0f0", inline: [element("videoflip", { name: "r0f0_gst" })] }];
    const live = gstLaunchArgv([{ inPort: 1, outPort: 2, filters }]).join(" ");
    const paced = gstLaunchArgv([{ inPort: 1, outPort: 2, filters, paced: true }]).join(" ");
    expect(live).toContain("queue max-size-buffers=1 leaky=downstream ! videoflip");
    expect(paced).toContain("videoconvert ! queue ! videoflip");
    expect(paced).not.toContain("leaky");
  });
});

describe("recordings folder", () => {
  it("resolves file:// URIs inside the folder and refuses ones that leave it", () => {
    expect(pathInside("/rec", "file:///rec/a/b.webm")).toBe("/rec/a/b.webm");
    for (const uri of [
      "file:///rec/../etc/passwd",
      "file:///etc/passwd",
      "file:///rec",
      "http://x/rec/a",
      "file:///rec/a%20b",
    ]) {
      expect(() => pathInside("/rec", uri), uri).toThrow(/recordings folder|not a file/);
    }
    expect(new FolderStore("/rec").target("file:///rec/x.webm").file).toMatch(/^\/rec\/x\.webm\..+\.part$/);
  });
});
