import { expect } from "vitest";
import { parseSpec, SpecError } from "../../src/load.js";

/** What the loader says is wrong with a spec it must refuse. */
export function problemsOf(text: string): string {
  try {
    parseSpec(text, "env/platform.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return (error as SpecError).message;
  }
  throw new Error("the spec was accepted");
}
