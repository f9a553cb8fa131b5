import { describe, expect, it } from "vitest";
import { recentEvents, renderSnapshot } from "../../src/local/live-view.js";

// The live view of `npm start` is a pure rendering of what the ECS and ELBv2 APIs return.

describe("npm start's live view", () => {
  it("shows each service's deployments, its tasks with host port and target health, and the newest events", () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 10, 0, s));
    const screen = renderSnapshot(
      {
        at: at(30),
        services: [
          {
            serviceName: "api-qa",
            runningCount: 2,
            desiredCount: 1,
            deployments: [
              {
                status: "PRIMARY",
                taskDefinition: "arn:aws:ecs:r:1:task-definition/api-qa:4",
                rolloutState: "IN_PROGRESS",
              },
              {
                status: "ACTIVE",
                taskDefinition: "arn:aws:ecs:r:1:task-definition/api-qa:3",
                rolloutState: "COMPLETED",
              },
            ],
            events: [
              { id: "1", createdAt: at(1), message: "(service api-qa) has started 1 tasks: (task abc)." },
              {
                id: "2",
                createdAt: at(9),
                message: "(service api-qa) registered 1 targets in (target-group tg)",
              },
            ],
          },
        ],
        tasks: [
          {
            taskArn: "arn:aws:ecs:r:1:task/platform/0123456789abcdef0123456789abcdef",
            group: "service:api-qa",
            lastStatus: "RUNNING",
            containers: [
              {
                image: "1.dkr.ecr.r.localhost:4566/api-qa:v2",
                networkBindings: [{ hostPort: 40007, protocol: "tcp" }],
              },
            ],
          },
        ],
        health: {
          "api-qa": [{ Target: { Id: "i-0local1", Port: 40007 }, TargetHealth: { State: "healthy" } }],
        },
      },
      ["header line"],
    );
    const lines = screen.split("\n");
    expect(lines[0]).toBe("header line");
    expect(screen).toContain(
      "api-qa              2/1       PRIMARY api-qa:4 IN_PROGRESS  |  ACTIVE api-qa:3 COMPLETED",
    );
    expect(screen).toMatch(/task 01234567 {2}RUNNING +:40007 +healthy +api-qa:v2/);
    const events = lines.slice(lines.indexOf("Recent events:") + 1);
    expect(events).toEqual([
      "  10:00:09 (service api-qa) registered 1 targets in (target-group tg)",
      "  10:00:01 (service api-qa) has started 1 tasks: (task abc).",
    ]);
  });

  it("orders events of all services newest first and keeps only as many as asked", () => {
    const services = ["a", "b"].map((name, i) => ({
      serviceName: name,
      events: [0, 1, 2].map((n) => ({
        id: `${name}${n}`,
        createdAt: new Date(1000 * (n * 2 + i)),
        message: `${name}${n}`,
      })),
    }));
    expect(recentEvents(services, 3).map((e) => e.message)).toEqual(["b2", "a2", "b1"]);
  });
});
