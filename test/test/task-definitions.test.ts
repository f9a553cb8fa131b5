import { join } from "node:path";
import { APP_NAMES, ENVIRONMENT_NAMES, loadSpec, serviceName } from "@platform/env";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../src/region-process.js";
import {
  differingPaths,
  flatten,
  localTaskDefinitions,
  pulumiTaskDefinitions,
  type TaskDefinitions,
} from "../src/task-definition-paths.js";

// One spec, one task-definition function, two targets: for every app and environment, what the
// Pulumi program registers on AWS and what `npm start` registers on the local region are the same,
// field by field, except the fields below, which have to differ.

/** Fields (as flatten() paths, `*` within a segment) that must differ between AWS and the local region, and why. */
const MUST_DIFFER: [path: string, why: string][] = [
  ["executionRoleArn", "IAM roles exist on AWS only (the local region pulls and reads secrets itself)"],
  ["taskRoleArn", "IAM roles exist on AWS only"],
  [
    "containerDefinitions.*.image",
    "each account's registry: the ECR repository URI and the bootstrap tag, the local registry and the build's tag",
  ],
  [
    "containerDefinitions.*.secrets.*",
    "the same secrets by name, read from each account: SSM and Secrets Manager ARNs on AWS, the local region's parameter names and secret ARNs",
  ],
  [
    "containerDefinitions.api.environment.OBJECTS_BUCKET",
    "each account's bucket: the one the AWS stack creates, the one npm start creates in the local region's S3",
  ],
  [
    "containerDefinitions.api.environment.DATABASE_*",
    "the RDS instance the AWS stack creates; locally DATABASE_URL (a secret) names a SQLite file",
  ],
  [
    "containerDefinitions.media-server.environment.RECORDINGS_BUCKET",
    "each account's bucket, as for the API's OBJECTS_BUCKET",
  ],
  [
    "containerDefinitions.media-server.environment.STUN_SERVER",
    "on ECS the task learns its public address from STUN (bridge mode hides it, IMDS is out of reach); the local region's task metadata gives it",
  ],
  [
    "containerDefinitions.media-server.environment.MEDIA_UDP_PORTS",
    "fixed container ports need a network namespace per container (ECS bridge mode); the local region runs tasks as host processes and hands the media server host ports (HOST_PORT_<port>_UDP)",
  ],
];

const spec = loadSpec(join(REPO_ROOT, "env", "platform.yaml"));
const aws: TaskDefinitions = {};
const local: TaskDefinitions = {};

beforeAll(async () => {
  // Pulumi's runtime state is global: one stack after the other, each run to its end.
  for (const env of ENVIRONMENT_NAMES) {
    Object.assign(aws, await pulumiTaskDefinitions(env, spec));
    Object.assign(local, await localTaskDefinitions(env, spec));
  }
}, 120_000);

const SERVICES = ENVIRONMENT_NAMES.flatMap((env) => APP_NAMES.map((app) => serviceName(app, env)));
const mustDiffer = (path: string) => MUST_DIFFER.some(([pattern]) => matches(pattern, path));

function matches(pattern: string, path: string): boolean {
  const regex = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join("[^.]*");
  return new RegExp(`^${regex}$`).test(path);
}

const differences = (service: string) =>
  differingPaths(flatten(aws[service] ?? {}), flatten(local[service] ?? {}));

describe("the task definitions of AWS and of the local region", () => {
  it("exist for every app and environment on both paths", () => {
    expect(Object.keys(aws).sort()).toEqual([...SERVICES].sort());
    expect(Object.keys(local).sort()).toEqual([...SERVICES].sort());
  });

  it.each(SERVICES)("%s: equal in every field but the ones that must differ", (service) => {
    const unexpected = differences(service).filter((path) => !mustDiffer(path));
    const flat = { aws: flatten(aws[service]), local: flatten(local[service]) };
    expect(
      unexpected.map((path) => ({ path, aws: flat.aws[path], local: flat.local[path] })),
      "fields that differ without a reason in MUST_DIFFER",
    ).toEqual([]);
  });

  it("differ in each listed field somewhere (the list says nothing it does not need)", () => {
    const all = SERVICES.flatMap(differences);
    const unused = MUST_DIFFER.filter(([pattern]) => !all.some((path) => matches(pattern, path)));
    expect(unused.map(([pattern]) => pattern)).toEqual([]);
  });

  it("tell every local task its environment as the apps read it: ENVIRONMENT (api/src/config.ts)", () => {
    for (const env of ENVIRONMENT_NAMES) {
      for (const app of APP_NAMES) {
        const variables = flatten(local[serviceName(app, env)]);
        expect(variables[`containerDefinitions.${app}.environment.ENVIRONMENT`]).toBe(env);
        expect(Object.keys(variables).filter((path) => path.endsWith(".APP_ENV"))).toEqual([]);
      }
    }
  });
});
