import type { TaskDefinition } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { emptyChangeRequest } from "../../src/ecs/model/change-request.js";
import { diffTaskDefinitions, formatChange } from "../../src/ecs/model/diff.js";
import { UsageError } from "../../src/ecs/model/errors.js";
import { ecrLocation, formatImageRef, parseImageRef } from "../../src/ecs/model/image-ref.js";
import { PREVIOUS_TAG, revisionTags, sourceImageKey } from "../../src/ecs/model/revision-tags.js";
import {
  applyChanges,
  planImages,
  registerInput,
  validateRequest,
} from "../../src/ecs/model/task-definition.js";

const REPO = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api-qa";
const DIGEST_A = `sha256:${"a".repeat(64)}`;

function taskDefinition(): TaskDefinition {
  return {
    taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/api-qa:4",
    family: "api-qa",
    revision: 4,
    status: "ACTIVE",
    networkMode: "bridge",
    requiresAttributes: [{ name: "com.amazonaws.ecs.capability.logging-driver.awslogs" }],
    compatibilities: ["EC2"],
    registeredAt: new Date(),
    executionRoleArn: "arn:aws:iam::123456789012:role/exec",
    containerDefinitions: [
      {
        name: "api",
        image: `${REPO}@${DIGEST_A}`,
        memory: 1024,
        environment: [
          { name: "ROLE", value: "all" },
          { name: "DB_PASSWORD", value: "hunter2-secret" },
        ],
        secrets: [
          {
            name: "API_ADMIN_KEY",
            valueFrom: "arn:aws:ssm:eu-west-1:123456789012:parameter/platform/qa/key",
          },
        ],
      },
      { name: "sidecar", image: "public.ecr.aws/nginx/nginx:1.27" },
    ],
  };
}

describe("image references", () => {
  it("parse tags, digests, registries with ports, and find their ECR repository", () => {
    expect(parseImageRef(`${REPO}:v1`)).toEqual({
      registry: REPO.split("/")[0],
      repository: "api-qa",
      tag: "v1",
    });
    const local = parseImageRef("123456789012.dkr.ecr.us-east-1.localhost:4566/media-server-qa:abc");
    expect(local && ecrLocation(local)).toEqual({
      registryId: "123456789012",
      region: "us-east-1",
      repositoryName: "media-server-qa",
    });
    expect(ecrLocation(parseImageRef("nginx:1.27")!)).toBeUndefined();
    expect(formatImageRef(parseImageRef(`${REPO}@${DIGEST_A}`)!)).toBe(`${REPO}@${DIGEST_A}`);
    expect(parseImageRef("not an image")).toBeUndefined();
    expect(parseImageRef(`${REPO}@sha256:short`)).toBeUndefined();
  });
});

describe("planning images", () => {
  it("-t retags every container, starting from the tag the pinned image came from", () => {
    const tags = [{ key: sourceImageKey("api"), value: `${REPO}:v1` }];
    const request = { ...emptyChangeRequest(), tag: "v2" };
    const planned = planImages(taskDefinition(), tags, request).map((p) => [
      p.container,
      formatImageRef(p.source),
    ]);
    expect(planned).toEqual([
      ["api", `${REPO}:v2`],
      ["sidecar", "public.ecr.aws/nginx/nginx:v2"],
    ]);
  });

  it("-i names one container's image; a plain redeploy re-resolves the recorded tag", () => {
    const tags = [{ key: sourceImageKey("api"), value: `${REPO}:main` }];
    const request = { ...emptyChangeRequest(), images: [{ container: "sidecar", image: "nginx:1.28" }] };
    const planned = planImages(taskDefinition(), tags, request).map((p) => formatImageRef(p.source));
    expect(planned).toEqual([`${REPO}:main`, "nginx:1.28"]);
  });
});

describe("validating a request", () => {
  it("names a container that does not exist, and the ones that do", () => {
    const request = { ...emptyChangeRequest(), env: [{ container: "web", name: "A", value: "b" }] };
    expect(() => validateRequest(taskDefinition(), request)).toThrow(UsageError);
    expect(() => validateRequest(taskDefinition(), request)).toThrow(
      /"web" does not exist .*containers: api, sidecar/,
    );
  });
});

describe("applying changes", () => {
  it("sets env, secrets, command, cpu and memory, and pins images", () => {
    const request = {
      ...emptyChangeRequest(),
      env: [{ container: "api", name: "LOG_LEVEL", value: "debug" }],
      secrets: [{ container: "api", name: "TURN", valueFrom: "/platform/qa/turn" }],
      commands: [{ container: "api", command: ["node", "main.js"] }],
      cpu: [{ container: "api", value: 256 }],
      memoryReservation: [{ container: "api", value: 512 }],
    };
    const pinned = new Map([["api", `${REPO}@sha256:${"b".repeat(64)}`]]);
    const [api, sidecar] = applyChanges(taskDefinition(), request, pinned);
    expect(api?.image).toBe(`${REPO}@sha256:${"b".repeat(64)}`);
    expect(api?.environment).toEqual([
      { name: "ROLE", value: "all" },
      { name: "DB_PASSWORD", value: "hunter2-secret" },
      { name: "LOG_LEVEL", value: "debug" },
    ]);
    expect(api?.secrets?.map((s) => s.name)).toEqual(["API_ADMIN_KEY", "TURN"]);
    expect(api).toMatchObject({
      command: ["node", "main.js"],
      cpu: 256,
      memory: 1024,
      memoryReservation: 512,
    });
    expect(sidecar?.image).toBe("public.ecr.aws/nginx/nginx:1.27");
  });

  it("--exclusive-env and --exclusive-secrets drop what was not given, in every container", () => {
    const request = {
      ...emptyChangeRequest(),
      exclusiveEnv: true,
      exclusiveSecrets: true,
      env: [{ container: "api", name: "ONLY", value: "1" }],
    };
    const [api, sidecar] = applyChanges(taskDefinition(), request, new Map());
    expect(api?.environment).toEqual([{ name: "ONLY", value: "1" }]);
    expect(api?.secrets).toEqual([]);
    expect(sidecar?.environment).toEqual([]);
  });
});

describe("diff", () => {
  it("shows secrets by their parameter names and masks env values whose names look secret", () => {
    const td = taskDefinition();
    const request = {
      ...emptyChangeRequest(),
      env: [
        { container: "api", name: "DB_PASSWORD", value: "new-password-value" },
        { container: "api", name: "LOG_LEVEL", value: "debug" },
      ],
      secrets: [{ container: "api", name: "API_ADMIN_KEY", valueFrom: "/platform/qa/new-key" }],
    };
    const text = diffTaskDefinitions(td, { containerDefinitions: applyChanges(td, request, new Map()) })
      .map(formatChange)
      .join("\n");
    expect(text).toContain("~ api.environment.DB_PASSWORD: **** -> ****");
    expect(text).toContain("+ api.environment.LOG_LEVEL: debug");
    expect(text).toContain("/platform/qa/new-key");
    expect(text).not.toMatch(/hunter2|new-password-value/);
  });

  it("is empty when nothing changed (no new revision)", () => {
    const td = taskDefinition();
    const same = applyChanges(
      td,
      emptyChangeRequest(),
      new Map([["api", td.containerDefinitions![0]!.image!]]),
    );
    expect(
      diffTaskDefinitions(td, { containerDefinitions: same, executionRoleArn: td.executionRoleArn }),
    ).toEqual([]);
  });
});

describe("register input", () => {
  it("drops the read-only fields and records the previous revision and image sources", () => {
    const td = taskDefinition();
    const tags = revisionTags(
      [
        { key: "team", value: "video" },
        { key: PREVIOUS_TAG, value: "api-qa:2" },
      ],
      "api-qa:4",
      new Map([["api", `${REPO}:v2`]]),
    );
    const input = registerInput(td, td.containerDefinitions!, {}, tags);
    expect(input).not.toHaveProperty("taskDefinitionArn");
    expect(input).not.toHaveProperty("revision");
    expect(input).not.toHaveProperty("requiresAttributes");
    expect(input).not.toHaveProperty("compatibilities");
    expect(input).not.toHaveProperty("registeredAt");
    expect(input).not.toHaveProperty("status");
    expect(input.family).toBe("api-qa");
    expect(input.tags).toEqual([
      { key: "team", value: "video" },
      { key: PREVIOUS_TAG, value: "api-qa:4" },
      { key: "ecs-deploy:image:api", value: `${REPO}:v2` },
    ]);
  });
});
