import { afterEach, describe, expect, it, vi } from "vitest";
import { main as imageMain } from "../../src/image/cli.js";
import { main as pipelineMain } from "../../src/pipeline/cli.js";

// Bad usage ends with one line on stderr and exit code 3, before anything is built or pushed.

function capture() {
  const err: string[] = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    err.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  return err;
}
afterEach(() => vi.restoreAllMocks());

describe("npm run image: usage", () => {
  it("rejects an unknown app, a missing or unknown environment, and a malformed commit", async () => {
    const err = capture();
    expect(await imageMain(["billing", "--no-push"])).toBe(3);
    expect(await imageMain(["api"])).toBe(3);
    expect(await imageMain(["api", "--env", "dev"])).toBe(3);
    expect(await imageMain(["api", "--no-push", "--commit", "$(rm -rf /)"])).toBe(3);
    expect(err.join("")).toContain('image: unknown app "billing" (expected api or media-server)');
    expect(err.join("")).toContain("image: --env <qa|prod> is required to push (or pass --no-push)");
    expect(err.join("")).toContain("argument 'dev' is invalid. Allowed choices are qa, prod.");
    expect(err.join("")).toContain('--commit "$(rm -rf /)" is not a git sha');
  });
});

describe("npm run pipeline: usage", () => {
  it("rejects unknown stages and apps, and stages whose inputs nothing provides", async () => {
    const err = capture();
    const state = ["--state", "/nonexistent/state.json"];
    expect(await pipelineMain(["--only", "deploy", ...state])).toBe(3);
    expect(await pipelineMain(["--apps", "billing", ...state])).toBe(3);
    expect(await pipelineMain(["--from", "promote", ...state])).toBe(3);
    expect(await pipelineMain(["--deploy-timeout", "soon", ...state])).toBe(3);
    const text = err.join("");
    expect(text).toContain("pipeline: --only deploy: unknown stage");
    expect(text).toContain("pipeline: --apps: unknown app billing");
    expect(text).toContain("pipeline: stage promote needs images.qa, verified.qa");
    expect(text).toContain("--deploy-timeout soon is not a number of seconds");
  });
});
