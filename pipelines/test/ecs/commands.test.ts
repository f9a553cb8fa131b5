import type { UpdateServiceCommandInput } from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { goodRollout, runEcs, standardWorld, tdArn, type World } from "./fake-aws.js";

let world: World | undefined;
afterEach(() => world?.restore());

describe("ecs rollback", () => {
  it("goes back to the revision recorded as serving before the last deploy, not N-1", async () => {
    const std = standardWorld();
    world = std.world;
    std.service.script = goodRollout(world);
    // api-qa:4 records api-qa:2 as its predecessor (3 was registered but never served).
    const run = await runEcs(world, ["rollback", "platform", "api-qa"]);
    expect(run.exitCode).toBe(0);
    expect(
      (world.calls("UpdateService") as UpdateServiceCommandInput[]).map((u) => u.taskDefinition),
    ).toEqual([tdArn("api-qa", 2)]);
    expect(run.text).toMatch(/Rolled back platform\/api-qa to .*api-qa:2/);
  });

  it("after a deploy, returns to exactly the revision that served before it", async () => {
    const std = standardWorld();
    world = std.world;
    std.service.script = goodRollout(world);
    expect((await runEcs(world, ["deploy", "platform", "api-qa", "-t", "v2", "--keep", "1"])).exitCode).toBe(
      0,
    );
    std.service.script = goodRollout(world);
    const run = await runEcs(world, ["rollback", "platform", "api-qa"]);
    expect(run.exitCode).toBe(0);
    expect(
      (world.calls("UpdateService") as UpdateServiceCommandInput[]).map((u) => u.taskDefinition),
    ).toEqual([tdArn("api-qa", 5), tdArn("api-qa", 4)]);
  });

  it("refuses a target that was deregistered, with exit 3", async () => {
    ({ world } = standardWorld());
    world.revisions.get(tdArn("api-qa", 2))!.taskDefinition.status = "INACTIVE";
    const run = await runEcs(world, ["rollback", "platform", "api-qa"]);
    expect(run.exitCode).toBe(3);
    expect(run.text).toMatch(/api-qa:2 is INACTIVE/);
    expect(world.calls("UpdateService")).toEqual([]);
  });

  it("says so when no previous revision was recorded", async () => {
    ({ world } = standardWorld());
    world.revisions.get(tdArn("api-qa", 4))!.tags = [];
    const run = await runEcs(world, ["rollback", "platform", "api-qa"]);
    expect(run.exitCode).toBe(3);
    expect(run.text).toMatch(/records no previous revision .*--to/);
  });
});

describe("ecs diff", () => {
  it("shows what a deploy would change and changes nothing", async () => {
    ({ world } = standardWorld());
    const run = await runEcs(world, [
      "diff",
      "platform",
      "api-qa",
      "-t",
      "v2",
      "-e",
      "api",
      "SESSION_SECRET",
      "abcdef123",
    ]);
    expect(run.exitCode).toBe(0);
    expect(run.text).toMatch(/~ api.image: .*@sha256:a+ -> .*@sha256:b+/);
    expect(run.text).toMatch(/\+ api.environment.SESSION_SECRET: \*\*\*\*/);
    expect(run.text).not.toContain("abcdef123");
    expect(world.calls("RegisterTaskDefinition")).toEqual([]);
    expect(world.calls("UpdateService")).toEqual([]);
  });
});

describe("ecs status", () => {
  it("lists services with deployments, target health and events", async () => {
    ({ world } = standardWorld());
    const run = await runEcs(world, ["status", "platform"]);
    expect(run.exitCode).toBe(0);
    expect(run.text).toMatch(/api-qa \(ACTIVE\) api-qa:4: 2\/2 running, 0 pending/);
    expect(run.text).toMatch(/PRIMARY ecs-svc\/\d+ api-qa:4 COMPLETED 2\/2 running/);
    expect(run.text).toMatch(/targets api-qa: 2 healthy/);
  });

  it("--json prints one document", async () => {
    ({ world } = standardWorld());
    const run = await runEcs(world, ["status", "platform", "api-qa", "--json"]);
    expect(JSON.parse(run.out.join("\n"))).toMatchObject({
      cluster: "platform",
      services: [{ name: "api-qa", desired: 2 }],
    });
  });
});

describe("ecs scale", () => {
  it("sets the desired count (the one command that does) and waits for it", async () => {
    const std = standardWorld();
    world = std.world;
    const w = world;
    std.service.script = [
      (s) => {
        const d = w.primary(s);
        w.startTask(s, d.id!, d.taskDefinition!, "healthy");
        d.runningCount = 3;
        d.desiredCount = 3;
      },
    ];
    const run = await runEcs(world, ["scale", "platform", "api-qa", "3"]);
    expect(run.exitCode).toBe(0);
    expect(world.calls("UpdateService")).toEqual([
      { cluster: "platform", service: "api-qa", desiredCount: 3 },
    ]);
  });

  it("rejects a count that is not a number", async () => {
    ({ world } = standardWorld());
    const run = await runEcs(world, ["scale", "platform", "api-qa", "many"]);
    expect(run.exitCode).toBe(3);
  });
});
