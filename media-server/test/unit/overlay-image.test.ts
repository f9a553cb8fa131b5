import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveOverlayImage } from "../../src/objects/overlay-image.js";
import { mediaServerDir } from "../helpers/server.js";

const publicDir = path.join(mediaServerDir, "public");

describe("overlay image sources", () => {
  it("accepts images of our own public folder, by path or by a URL of ours", async () => {
    const file = path.join(publicDir, "img", "overlay.png");
    await expect(resolveOverlayImage("/media/img/overlay.png", publicDir, [])).resolves.toBe(file);
    await expect(
      resolveOverlayImage("http://localhost:8443/media/img/overlay.png", publicDir, []),
    ).resolves.toBe(file);
  });

  it.each([
    ["file:///etc/passwd", /scheme 'file:'/],
    ["/media/../../../etc/passwd.png", /does not exist|only .png/],
    ["/media/img/missing.png", /does not exist/],
    ["/media/index.html", /only .png\/.jpg/],
    ["https://evil.example/x.png", /host 'evil.example' is not allowed/],
    ["not a url", /not a URL/],
  ])("refuses %s", async (uri, why) => {
    await expect(resolveOverlayImage(uri, publicDir, ["images.example"])).rejects.toThrow(why);
  });
});
