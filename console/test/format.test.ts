import { describe, expect, it } from "vitest";
import { portRanges } from "../src/client/format.js";

describe("portRanges", () => {
  it("folds consecutive ports into runs with their count, in order, without repeats", () => {
    expect(portRanges([41021, 40001, 41020, 41022, 41022, 40003])).toBe("40001, 40003, 41020–41022 (3)");
  });

  it("leaves lone ports and an empty list as they are", () => {
    expect(portRanges([8080])).toBe("8080");
    expect(portRanges([])).toBe("");
  });
});
