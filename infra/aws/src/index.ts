import { loadSpec } from "@platform/env";
import * as pulumi from "@pulumi/pulumi";
import { defineStack } from "./program.js";
import { readSettings } from "./settings.js";
import { findSpecFile } from "./spec-file.js";

// The Pulumi program (Pulumi.yaml: main infra/aws, which resolves to this file through package.json).

export default async function program() {
  const settings = readSettings(new pulumi.Config("platform"), pulumi.getOrganization(), pulumi.getProject());
  const spec = loadSpec(findSpecFile(settings.specFile));
  const region = new pulumi.Config("aws").get("region");
  if (region !== spec.region) {
    throw new Error(
      `aws:region is ${region ?? "not set"} but the environment spec says ${spec.region}: set aws:region: ${spec.region} in Pulumi.${pulumi.getStack()}.yaml`,
    );
  }
  return defineStack(pulumi.getStack(), spec, settings);
}
