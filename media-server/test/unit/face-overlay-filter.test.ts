import path from "node:path";
import { describe, expect, it } from "vitest";
import { gstLaunchArgv } from "../../src/media/gst-pipeline.js";
import { FaceOverlayFilter } from "../../src/objects/filters.js";
import { mediaServerDir } from "../helpers/server.js";

// The filter only needs a pipeline to register with; these tests read the elements it asks for.
const pipe = {
  id: "p",
  element: () => undefined,
  topologyChanged: () => {},
  settled: async () => {},
  filterContext: { publicDir: path.join(mediaServerDir, "public"), overlayImageHosts: [] },
} as unknown as ConstructorParameters<typeof FaceOverlayFilter>[0];

const argvOf = (f: FaceOverlayFilter) =>
  gstLaunchArgv([{ inPort: 5000, outPort: 5002, filters: [f.gstElements("r0f0")] }]).join(" ");
const mainPath = (text: string) => text.split(" r0f0_tee. ")[0]!;
const sideBranch = (text: string) => text.split(" r0f0_tee. ")[1] ?? "";

describe("FaceOverlayFilter's GStreamer elements", () => {
  it("detects faces on the side branch at a reduced rate, the video untouched", () => {
    const text = argvOf(new FaceOverlayFilter(pipe, () => {}));
    expect(mainPath(text)).not.toContain("facedetect");
    expect(sideBranch(text)).toMatch(/^! videorate ! capsfilter caps=video\/x-raw,framerate=10\/1 ! queue /);
    expect(sideBranch(text)).toContain("facedetect name=r0f0_faces display=false");
  });

  it("with an image, draws it on the video path and still detects on the side branch", async () => {
    const filter = new FaceOverlayFilter(pipe, () => {});
    await filter.invoke("setOverlayedImage", {
      uri: "/media/img/overlay.png",
      offsetXPercent: -0.35,
      offsetYPercent: -1.2,
      widthPercent: 1.6,
      heightPercent: 1.6,
    });
    const text = argvOf(filter);
    expect(mainPath(text)).toContain("gdkpixbufoverlay name=r0f0_overlay location=");
    expect(mainPath(text)).not.toContain("facedetect");
    expect(sideBranch(text)).toContain("facedetect name=r0f0_faces");
  });
});
