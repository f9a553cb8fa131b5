import type { PlatformSpec } from "@platform/env";
import * as pulumi from "@pulumi/pulumi";
import type { RecordedResource } from "../invariants/resources.js";
import { defineStack } from "../program.js";
import { DEFAULT_SETTINGS, type StackSettings } from "../settings.js";
import {
  FAKE_ACCOUNT,
  FAKE_REGION,
  FAKE_SECRET_VALUE,
  fakeSharedOutputs,
  mockCall,
  mockState,
} from "./fake-aws.js";

// The Pulumi program under mocks, for this workspace's tests and the cross-workspace suites
// (`@platform/infra-aws/testing/run-stack`), so both read the stack the same way.

export interface StackRun {
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
}

export const TEST_SETTINGS: StackSettings = {
  ...DEFAULT_SETTINGS,
  sharedStack: "organization/platform/shared",
  githubRepository: "acme/platform",
};

/**
 * Runs the Pulumi program of one stack in-process against mocks and records every resource it registers,
 * with its inputs, the mock's outputs and its ignoreChanges. One stack per process: Pulumi's runtime
 * state is global.
 */
export function runStack(stack: string, spec: PlatformSpec, settings = TEST_SETTINGS): Promise<StackRun> {
  return runProgram(stack, () => defineStack(stack, spec, settings));
}

/** Runs any program function (the real entry point included) as `stack` and records what it registers. */
export async function runProgram(stack: string, program: () => unknown): Promise<StackRun> {
  const records = new Map<string, RecordedResource>();
  const ignoreChanges = new Map<string, string[]>();
  const key = (type: string, name: string) => `${type}::${name}`;
  await pulumi.runtime.setMocks(
    {
      async newResource(args) {
        const inputs = await withPlainArchives(args.inputs);
        const outputs = mockState(args.type, args.name, inputs, fakeSharedOutputs());
        const k = key(args.type, args.name);
        if (records.has(k)) throw new Error(`two resources of type ${args.type} are named ${args.name}`);
        records.set(k, {
          type: args.type,
          name: args.name,
          inputs,
          outputs,
          ignoreChanges: [],
        });
        return { id: String(outputs.id), state: outputs };
      },
      call: (args) => mockCall(args.token, args.inputs),
    },
    "platform",
    stack,
    false,
    "organization",
  );
  // ignoreChanges is a resource option, which the mocks' newResource doesn't see: read it off the request.
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, callback: unknown): Promise<void>;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    ignoreChanges.set(key(req.getType(), req.getName()), req.getIgnorechangesList());
    return register(req, callback);
  };

  const defined = await program();
  const outputs = await new Promise<Record<string, unknown>>((resolve) =>
    pulumi
      .output(defined as Record<string, unknown>)
      .apply((value) => resolve(value as Record<string, unknown>)),
  );
  // Every registration still in flight finishes before the list is read.
  await pulumi.runtime.disconnect();
  const resources = [...records.entries()].map(([k, r]) => ({
    ...r,
    ignoreChanges: ignoreChanges.get(k) ?? [],
  }));
  return { resources, outputs };
}

/**
 * A file archive (a Lambda's code) holds its path as a promise, which a recorded stack can't: the
 * tests clone and compare it. It is recorded as `{ fileArchive: <path> }`.
 */
async function withPlainArchives(inputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const plain = { ...inputs };
  for (const [key, value] of Object.entries(plain)) {
    if (pulumi.asset.Archive.isInstance(value) && value instanceof pulumi.asset.FileArchive) {
      plain[key] = { fileArchive: await value.path };
    }
  }
  return plain;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getIgnorechangesList(): string[];
}

export { FAKE_ACCOUNT, FAKE_REGION, FAKE_SECRET_VALUE };
