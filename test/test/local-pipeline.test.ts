import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { runNode } from "@platform/local-region/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LbClient, type VersionInfo } from "../src/lb-client.js";
import { LocalRegionProcess, REPO_ROOT } from "../src/region-process.js";
import { filesUnder, findLeaks, secretValues } from "../src/secret-leaks.js";

// The local pipeline end to end, as a developer runs it: `npm start` brings up a region (its own
// ports and state folder), then `npm run pipeline -- --skip install,lint,test --approve` builds, pushes
// to qa, deploys qa, verifies qa through the load balancer, promotes the same digests, deploys and
// verifies prod. Every service of the spec shifts traffic (qa and the prod media server BLUE_GREEN,
// the prod API CANARY), so each deploy first verifies green on the test listener, before users are
// moved to it. Verification is functional: a transcoding job through the API and WebRTC frames
// through the media server's demo page, on each test listener and on qa.

interface PipelineState {
  commit: string;
  facts: string[];
  images: Record<string, { digest: string; qa: string; prod: string }>;
}

let region: LocalRegionProcess;
let lb: LbClient;

beforeAll(async () => {
  region = await LocalRegionProcess.start("local-pipeline");
  lb = new LbClient({ port: region.ports.http });
});

afterAll(async () => {
  lb?.close();
  await region?.stop();
});

describe("npm run pipeline on the local region", () => {
  it("ships the working tree to qa, verifies it (green first, on the test listener), promotes the same digests to prod and verifies prod", async () => {
    const stateFile = join(region.dir, "pipeline-state.json");
    const result = await runNode(
      // The suite's own set-up stands for install and lint; --approve is the release manager's yes.
      [
        "pipelines/dist/src/pipeline/cli.js",
        "--skip",
        "install,lint,test",
        "--approve",
        "--state",
        stateFile,
      ],
      { cwd: REPO_ROOT, env: region.env, limitMs: 420_000 },
    );
    console.log(`pipeline: exit ${result.code} in ${(result.elapsedMs / 1000).toFixed(1)} s`);
    expect(result.code, result.output.slice(-4000)).toBe(0);
    expect(result.output).toMatch(/pipeline succeeded in/);
    const greenChecks = [
      ...result.output.matchAll(/green (api|media-server) serves commit (\w+) on the test listener/g),
    ];
    expect(greenChecks.map((m) => m[1]).sort()).toEqual(["api", "api", "media-server", "media-server"]);
    const greenJobs = result.output.match(
      /green api: job [0-9a-f-]+ COMPLETE in [\d.]+ s, 360p h264 [\d.]+ s on the test listener/g,
    );
    const greenFrames = result.output.match(
      /green media-server: \d+ frames decoded in [\d.]+ s on the test listener/g,
    );
    expect(greenJobs).toHaveLength(2);
    expect(greenFrames).toHaveLength(2);
    // qa itself, through host routing after the switch: the stage's note carries both measures.
    expect(result.output).toMatch(
      /verify-qa.*api: job [0-9a-f-]+ COMPLETE in .*media-server: \d+ frames decoded/,
    );

    // The key the checks used (qa's API_ADMIN_KEY) and every other secret: in none of the output or the files left.
    const secrets = await secretValues(region);
    expect(secrets.map((s) => s.name)).toContain("api-qa API_ADMIN_KEY");
    const left = filesUnder(region.dir).filter((f) => !f.where.startsWith("region/"));
    expect(findLeaks(secrets, [{ where: "pipeline output", text: result.output }, ...left])).toEqual([]);

    const state = JSON.parse(await readFile(stateFile, "utf8")) as PipelineState;
    expect(state.facts).toEqual([
      "images.qa",
      "deployed.qa",
      "verified.qa",
      "approved",
      "images.prod",
      "deployed.prod",
      "verified.prod",
    ]);
    for (const app of ["api", "media-server"]) {
      const image = state.images[app];
      expect(image?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(image?.qa).toMatch(new RegExp(`/${app}-qa@${image?.digest}$`));
      expect(image?.prod).toMatch(new RegExp(`/${app}-prod@${image?.digest}$`));
    }

    // What users get through the load balancer: this run's commit and the digests qa verified.
    const served = [
      ["qa.localhost", "qa", "api", "/api/v1/version"],
      ["localhost", "prod", "api", "/api/v1/version"],
      ["qa.localhost", "qa", "media-server", "/media/version"],
      ["localhost", "prod", "media-server", "/media/version"],
    ] as const;
    for (const [host, env, app, path] of served) {
      const version = await lb.json<VersionInfo>({ host, path });
      expect(version.commit).toBe(state.commit);
      expect(version.image).toContain(`/${app}-${env}`);
      expect(version.image).toContain(state.images[app]?.digest as string);
    }
  }, 480_000);
});
