import type { DeploymentSpec, PlatformSpec } from "@platform/env";
import { beforeAll, expect, test } from "vitest";
import { obj, ofType, type RecordedResource, TYPES } from "../src/invariants/resources.js";
import { environmentSuite } from "./support/environment-suite.js";
import { repositorySpec } from "./support/spec.js";

// The shipped spec covers BLUE_GREEN (qa, prod's media server) and CANARY (prod's API); this stack covers
// the other two: qa's API LINEAR and its media server ROLLING, as today.

const LINEAR: DeploymentSpec = {
  strategy: "LINEAR",
  bakeTimeInMinutes: 1,
  linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 1 },
};

function linearAndRolling(): PlatformSpec {
  const spec = structuredClone(repositorySpec());
  spec.environments.qa.services.api.deployment = LINEAR;
  spec.environments.qa.services["media-server"].deployment = { strategy: "ROLLING" };
  return spec;
}

const qa = environmentSuite("qa", linearAndRolling());
let resources: RecordedResource[];

beforeAll(() => {
  resources = qa().resources;
});

const deploymentOf = (name: string) =>
  obj(ofType(resources, TYPES.service).find((r) => r.inputs.name === name)?.inputs.deploymentConfiguration);

test("passes LINEAR's steps to ECS, its minutes as the strings its API takes", () => {
  expect(deploymentOf("api-qa")).toEqual({
    strategy: "LINEAR",
    bakeTimeInMinutes: "1",
    linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: "1" },
  });
});

test("keeps a ROLLING service a rolling update with no bake or shift settings", () => {
  expect(deploymentOf("media-server-qa")).toEqual({ strategy: "ROLLING" });
});
