import type { EnvironmentName, PlatformSpec } from "@platform/env";

export interface InvariantContext {
  spec: PlatformSpec;
  stack: "shared" | EnvironmentName;
  /** Values that must never appear in any resource input (the fake secrets a test's data sources return). */
  secretValues: string[];
  /** Environment stacks: the shared stack's ECS instance security group, the only way into the database. */
  instanceSecurityGroupId?: string;
}

/** A finding for a person: which resource, what is wrong, why it matters. */
export type Violation = string;
