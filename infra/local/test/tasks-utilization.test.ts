import { describe, expect, it } from "vitest";
import { containerEnvironment } from "../src/runtime/tasks/container-env.js";
import {
  clusterName,
  cpuUnitsUsed,
  reservationOf,
  utilizationData,
} from "../src/runtime/tasks/service-utilization.js";
import { parseTaskDefinitionInput } from "../src/services/ecs/model/task-definition-input.js";
import type { TaskDefinitionRecord, TaskRecord } from "../src/services/ecs/model/types.js";

// AWS/ECS utilization as ECS defines it, and the environment that points a task's SDK at the
// region, as plain functions.

function definition(input: Record<string, unknown>): TaskDefinitionRecord {
  return {
    ...parseTaskDefinitionInput({ family: "api-qa", ...input }),
    taskDefinitionArn: "arn:aws:ecs:us-east-1:000000000000:task-definition/api-qa:1",
    revision: 1,
    status: "ACTIVE",
    compatibilities: ["EC2"],
    registeredAt: 0,
  };
}
const container = (extra: Record<string, unknown>) => ({
  name: "app",
  image: "x",
  essential: true,
  ...extra,
});
const task = (extra: Partial<TaskRecord> = {}) =>
  ({ clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/platform", ...extra }) as TaskRecord;

describe("service utilization", () => {
  it("a task reserves its task-level cpu and memory, or else the sum over its containers", () => {
    expect(
      reservationOf(
        task({ cpu: "512", memory: "1024" }),
        definition({ containerDefinitions: [container({ memory: 256 })] }),
      ),
    ).toEqual({
      cpuUnits: 512,
      memoryMiB: 1024,
    });
    const containers = definition({
      containerDefinitions: [
        container({ cpu: 256, memory: 512, memoryReservation: 128 }),
        container({ name: "side", cpu: 128, memory: 64 }),
      ],
    });
    expect(reservationOf(task(), containers)).toEqual({ cpuUnits: 384, memoryMiB: 192 });
    expect(clusterName("arn:aws:ecs:us-east-1:000000000000:cluster/platform")).toBe("platform");
  });

  it("CPU units from clock ticks: one core busy for the whole interval is 1024 units", () => {
    expect(cpuUnitsUsed(100, 1100, 10_000)).toBe(1024);
    expect(cpuUnitsUsed(0, 50, 10_000)).toBeCloseTo(51.2);
    expect(cpuUnitsUsed(500, 400, 10_000)).toBe(0);
    expect(cpuUnitsUsed(0, 100, 0)).toBe(0);
  });

  it("service utilization = sum used / sum reserved × 100, per ClusterName + ServiceName; no reservation, no datum", () => {
    const at = new Date(Date.UTC(2026, 11, 2, 10, 0, 0));
    const reservation = { cpuUnits: 256, memoryMiB: 512 };
    const data = utilizationData(
      [
        { cluster: "platform", service: "api-qa", reservation, cpuUnitsUsed: 128, memoryMiBUsed: 256 },
        { cluster: "platform", service: "api-qa", reservation, cpuUnitsUsed: 0, memoryMiBUsed: 128 },
        {
          cluster: "platform",
          service: "web",
          reservation: { cpuUnits: 0, memoryMiB: 100 },
          cpuUnitsUsed: 5,
          memoryMiBUsed: 50,
        },
      ],
      at,
    );
    const dims = (service: string) => [
      { Name: "ClusterName", Value: "platform" },
      { Name: "ServiceName", Value: service },
    ];
    expect(data).toEqual([
      { MetricName: "CPUUtilization", Dimensions: dims("api-qa"), Timestamp: at, Unit: "Percent", Value: 25 },
      {
        MetricName: "MemoryUtilization",
        Dimensions: dims("api-qa"),
        Timestamp: at,
        Unit: "Percent",
        Value: 37.5,
      },
      { MetricName: "MemoryUtilization", Dimensions: dims("web"), Timestamp: at, Unit: "Percent", Value: 50 },
    ]);
  });
});

describe("container environment for the SDK", () => {
  const base = {
    def: definition({ containerDefinitions: [container({ memory: 128 })] }).containerDefinitions[0]!,
    config: {},
    secrets: {},
    bindings: [],
    metadataUri: "http://127.0.0.1:4566/v4/t/app",
    endpoint: "http://127.0.0.1:4566",
    region: "us-east-1",
    hostPath: "/usr/bin",
  };

  it("AWS_ENDPOINT_URL always; the credentials endpoint and its token only with a task role", () => {
    const without = containerEnvironment(base);
    expect(without.AWS_ENDPOINT_URL).toBe("http://127.0.0.1:4566");
    expect(without).not.toHaveProperty("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    const credentials = { fullUri: "http://127.0.0.1:4566/v2/credentials/t", authorizationToken: "abc" };
    expect(containerEnvironment({ ...base, credentials })).toMatchObject({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: credentials.fullUri,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: "abc",
    });
  });
});
