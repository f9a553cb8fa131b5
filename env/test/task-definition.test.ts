import { describe, expect, test } from "vitest";
import { loadSpec } from "../src/load.js";
import {
  containerDefinition,
  MEDIA_UDP_CONTAINER_PORT_BASE,
  portMappings,
  type TaskDefinitionInputs,
  taskDefinition,
} from "../src/task-definition.js";

// The one place a task definition is made from the spec (the Pulumi program and npm start both call it).

const spec = loadSpec();

const mediaQa: TaskDefinitionInputs = {
  app: "media-server",
  env: "qa",
  service: spec.environments.qa.services["media-server"],
  image: "repo:tag",
  region: "eu-west-1",
  logGroupName: "/platform/qa/media-server",
  secrets: {},
  extraEnvironment: {},
};

describe("container definition", () => {
  test("maps every port, HTTP and media UDP, to a dynamic host port", () => {
    const media = spec.environments.prod.services["media-server"];
    const mappings = portMappings(media);
    expect(mappings).toHaveLength(1 + (media.mediaUdpPortCount ?? 0));
    expect(mappings[0]).toEqual({ containerPort: 8888, hostPort: 0, protocol: "tcp" });
    expect(mappings[1]).toEqual({
      containerPort: MEDIA_UDP_CONTAINER_PORT_BASE,
      hostPort: 0,
      protocol: "udp",
    });
    expect(new Set(mappings.map((m) => m.hostPort))).toEqual(new Set([0]));
  });

  test("tells the media server which container ports its UDP sockets must use", () => {
    const definition = containerDefinition(mediaQa);
    expect(definition.environment).toContainEqual({ name: "MEDIA_UDP_PORTS", value: "50000-50019" });
    expect(definition.environment).toContainEqual({ name: "ENVIRONMENT", value: "qa" });
  });

  test("leaves the UDP ports to the host where containers share its network (the local region)", () => {
    const definition = containerDefinition({ ...mediaQa, sharesHostNetwork: true });
    expect(definition.environment.map((e) => e.name)).not.toContain("MEDIA_UDP_PORTS");
    expect(definition.portMappings).toEqual(containerDefinition(mediaQa).portMappings);
  });

  test("names the environment as the apps read it (ENVIRONMENT), beside the spec's and the target's variables", () => {
    const definition = containerDefinition({
      app: "api",
      env: "prod",
      service: spec.environments.prod.services.api,
      image: "repo:tag",
      region: "eu-west-1",
      logGroupName: "/platform/prod/api",
      secrets: { DATABASE_URL: "arn:db", API_ADMIN_KEY: "arn:key" },
      extraEnvironment: { OBJECTS_BUCKET: "bucket" },
    });
    expect(definition.environment).toEqual([
      { name: "AWS_REGION", value: "eu-west-1" },
      { name: "ENVIRONMENT", value: "prod" },
      { name: "LOG_LEVEL", value: "info" },
      { name: "OBJECTS_BUCKET", value: "bucket" },
      { name: "PORT", value: "3000" },
      { name: "ROLE", value: "all" },
      { name: "SCHEDULING", value: "sjf" },
    ]);
    expect(definition.secrets).toEqual([
      { name: "API_ADMIN_KEY", valueFrom: "arn:key" },
      { name: "DATABASE_URL", valueFrom: "arn:db" },
    ]);
    expect(definition.logConfiguration.options).toEqual({
      "awslogs-group": "/platform/prod/api",
      "awslogs-region": "eu-west-1",
      "awslogs-stream-prefix": "api",
      mode: "non-blocking",
      "max-buffer-size": "25m",
    });
  });
});

describe("task definition", () => {
  test("is one essential container in bridge mode for EC2, in the service's family", () => {
    const definition = taskDefinition(mediaQa);
    expect(definition).toMatchObject({
      family: "media-server-qa",
      networkMode: "bridge",
      requiresCompatibilities: ["EC2"],
    });
    expect(definition.containerDefinitions).toEqual([containerDefinition(mediaQa)]);
    expect(definition.containerDefinitions[0]).toMatchObject({
      essential: true,
      memory: 1536,
      memoryReservation: 768,
      stopTimeout: 90,
    });
  });
});
