import { describe, expect, it } from "vitest";
import { gstLaunchArgv } from "../../src/media/gst-pipeline.js";
import { choosePlateBox, cleanPlateText, cropToPgm, PlateThrottle } from "../../src/media/plate-reading.js";

const frame = { width: 640, height: 480 };

describe("plate box choice", () => {
  it("merges the overlapping boxes a plate cascade reports into one, padded", () => {
    // What haarcascade_russian_plate_number found around one 280×64 plate at 180,200.
    const boxes = [
      { x: 171, y: 191, width: 192, height: 64 },
      { x: 239, y: 186, width: 250, height: 84 },
    ];
    const box = choosePlateBox(boxes, frame, 0.3);
    expect(box).toBeDefined();
    expect(box!.x).toBeLessThan(171);
    expect(box!.x + box!.width).toBeGreaterThan(489);
    expect(box!.y).toBeLessThan(186);
  });

  it("keeps the largest plate of two apart and ignores boxes much narrower than expected", () => {
    const small = { x: 10, y: 10, width: 80, height: 20 };
    const large = { x: 300, y: 300, width: 260, height: 60 };
    expect(choosePlateBox([small, large], frame, 0.1)?.y).toBeLessThan(300);
    expect(choosePlateBox([small], frame, 0.5)).toBeUndefined();
  });

  it("refuses boxes taller than wide and stays inside the frame", () => {
    expect(choosePlateBox([{ x: 0, y: 0, width: 50, height: 100 }], frame, 0)).toBeUndefined();
    const edge = choosePlateBox([{ x: 0, y: 440, width: 640, height: 40 }], frame, 0.3)!;
    expect(edge).toMatchObject({ x: 0, width: 640 });
    expect(edge.y + edge.height).toBe(480);
  });
});

describe("plate crop", () => {
  it("cuts the box out of a GRAY8 frame as a binary PGM", () => {
    const gray = Buffer.from(Array.from({ length: 4 * 3 }, (_, i) => i)); // 4×3, values = index
    const pgm = cropToPgm(gray, 4, { x: 1, y: 1, width: 2, height: 2 });
    expect(pgm.subarray(0, 11).toString("ascii")).toBe("P5\n2 2\n255\n");
    expect([...pgm.subarray(11)]).toEqual([5, 6, 9, 10]);
  });
});

describe("plate text", () => {
  it.each([
    ["AB123CD\n", "AB123CD"],
    ["I AB123CD\n\f", "AB123CD"], // the plate's border read as a letter
    ["ab-123 cd", "AB123"],
    ["HELLO", undefined], // no digit: not a plate
    ["A1", undefined],
    ["", undefined],
    ["12345678901234", undefined],
  ])("%j → %j", (raw, plate) => {
    expect(cleanPlateText(raw)).toBe(plate);
  });
});

describe("plate throttle", () => {
  it("reports the same plate once per interval and a new plate at once", () => {
    const throttle = new PlateThrottle(5000);
    expect(throttle.shouldReport("AB123CD", 0)).toBe(true);
    expect(throttle.shouldReport("AB123CD", 4999)).toBe(false);
    expect(throttle.shouldReport("XY987", 4999)).toBe(true);
    expect(throttle.shouldReport("AB123CD", 5000)).toBe(true);
    expect(throttle.shouldReport("AB123CD", 6000)).toBe(false);
  });
});

describe("plate detector branch", () => {
  it("ends its analysis in its own sink instead of fakesink", () => {
    const text = gstLaunchArgv([
      {
        inPort: 5000,
        outPort: 5002,
        filters: [
          {
            name: "r0f0",
            inline: [],
            analysis: [{ factory: "facedetect", props: { name: "r0f0_plates" } }],
            analysisSink: { factory: "multifilesink", props: { location: "/tmp/p/f-%05d.gray" } },
          },
        ],
      },
    ]).join(" ");
    expect(text).toMatch(
      /r0f0_tee\. ! queue .* ! facedetect name=r0f0_plates ! multifilesink location=\/tmp\/p\/f-%05d\.gray$/,
    );
    expect(text).not.toContain("fakesink");
  });
});
