import { loadSpec, type PlatformSpec } from "@platform/env";
import { findSpecFile } from "../../src/spec-file.js";

/** The repository's real spec: the stacks are tested as they would be deployed. */
export function repositorySpec(): PlatformSpec {
  return loadSpec(findSpecFile());
}
