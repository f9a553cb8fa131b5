import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSpec } from "@platform/env";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, test } from "vitest";
import program from "../src/index.js";
import { checkInvariants } from "../src/invariants/index.js";
import { ofType, TYPES } from "../src/invariants/resources.js";
import { findSpecFile } from "../src/spec-file.js";
import { FAKE_SECRET_VALUE } from "../src/testing/fake-aws.js";
import { runProgram } from "../src/testing/run-stack.js";

// The module Pulumi runs (package.json "exports" → dist/src/index.js), with its config, as `pulumi up` would.

/** The repository's spec, pointed at an existing VPC instead of a new one. */
function existingVpcSpec(): string {
  const text = readFileSync(findSpecFile(), "utf8").replace(
    "  cidrBlock: 10.40.0.0/16\n",
    "  vpcId: vpc-0abc\n  publicSubnetIds: [subnet-0a1, subnet-0a2]\n  privateSubnetIds: [subnet-0b1, subnet-0b2]\n",
  );
  const file = join(mkdtempSync(join(tmpdir(), "infra-aws-spec-")), "platform.yaml");
  writeFileSync(file, text);
  return file;
}

describe("the Pulumi entry point", () => {
  test("refuses an aws:region that differs from the spec's, naming both", async () => {
    pulumi.runtime.setAllConfig({ "aws:region": "us-east-1" });
    await expect(runProgram("shared", program)).rejects.toThrow(
      "aws:region is us-east-1 but the environment spec says eu-west-1: set aws:region: eu-west-1 in Pulumi.shared.yaml",
    );
  });

  test("builds the shared stack on an existing VPC from platform:specFile", async () => {
    const specFile = existingVpcSpec();
    pulumi.runtime.setAllConfig({ "aws:region": "eu-west-1", "platform:specFile": specFile });
    const run = await runProgram("shared", program);
    expect(ofType(run.resources, "aws:ec2/vpc:Vpc")).toEqual([]);
    expect(ofType(run.resources, TYPES.loadBalancer)[0]?.inputs.subnets).toEqual([
      "subnet-0a1",
      "subnet-0a2",
    ]);
    expect(run.outputs.privateSubnetIds).toEqual(["subnet-0b1", "subnet-0b2"]);
    const spec = loadSpec(specFile);
    expect(
      checkInvariants(run.resources, { spec, stack: "shared", secretValues: [FAKE_SECRET_VALUE] }),
    ).toEqual([]);
  });
});
