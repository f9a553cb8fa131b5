import type { RegisterTaskDefinitionCommandInput, UpdateServiceCommandInput } from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import {
  apiContainer,
  crashingRollout,
  digest,
  goodRollout,
  REPO_HOST,
  runEcs,
  standardWorld,
  tdArn,
  type World,
} from "./fake-aws.js";

// `ecs deploy` end to end inside the process: the real CLI, core, rules and renderers, with the AWS
// APIs answered by the scripted fake (aws-sdk-client-mock). One test per decision and per complaint.

let world: World | undefined;
afterEach(() => world?.restore());

describe("a good deploy", () => {
  it("pins the image by digest, records history, never sends desiredCount, and decides before the drain", async () => {
    const std = standardWorld();
    world = std.world;
    std.service.script = goodRollout(world);
    const run = await runEcs(world, ["deploy", "platform", "api-qa", "-t", "v2", "--timeout", "600"]);

    expect(run.exitCode).toBe(0);
    const [register] = world.calls("RegisterTaskDefinition") as RegisterTaskDefinitionCommandInput[];
    expect(register?.containerDefinitions?.[0]?.image).toBe(`${REPO_HOST}/api-qa@${digest("b")}`);
    expect(register?.tags).toEqual(
      expect.arrayContaining([
        { key: "ecs-deploy:previous", value: "api-qa:4" },
        { key: "ecs-deploy:image:api", value: `${REPO_HOST}/api-qa:v2` },
      ]),
    );
    const updates = world.calls("UpdateService") as UpdateServiceCommandInput[];
    expect(updates).toEqual([{ cluster: "platform", service: "api-qa", taskDefinition: tdArn("api-qa", 5) }]);
    expect(updates[0]).not.toHaveProperty("desiredCount");
    // Decided on the third look (new targets healthy, old ones draining), not after the drain.
    expect(run.text).toMatch(/Deployed .*api-qa:5 .*all new tasks RUNNING and healthy in every target group/);
    expect(world.services.get("api-qa")!.service.deployments).toHaveLength(2);
  });

  it("accepts a fabfuel CI line unchanged, with the region as a third argument", async () => {
    const std = standardWorld();
    world = std.world;
    std.service.script = goodRollout(world);
    const run = await runEcs(world, [
      "deploy",
      "platform",
      "api-qa",
      "eu-west-1",
      "-t",
      "v2",
      "--timeout",
      "600",
    ]);
    expect(run.exitCode).toBe(0);
  });

  it("registers nothing and starts nothing when the tag resolves to the digest already running", async () => {
    ({ world } = standardWorld());
    const run = await runEcs(world, ["deploy", "platform", "api-qa", "-t", "v1"]);
    expect(run.exitCode).toBe(0);
    expect(run.text).toMatch(/Nothing to deploy/);
    expect(world.calls("RegisterTaskDefinition")).toEqual([]);
    expect(world.calls("UpdateService")).toEqual([]);
  });

  it("re-resolves a moved tag on a plain redeploy, so the revision changes only when the image did", async () => {
    const std = standardWorld();
    world = std.world;
    world.pushImage("api-qa", "v1", digest("c"));
    std.service.script = goodRollout(world);
    const run = await runEcs(world, ["deploy", "platform", "api-qa"]);
    expect(run.exitCode).toBe(0);
    const [register] = world.calls("RegisterTaskDefinition") as RegisterTaskDefinitionCommandInput[];
    expect(register?.containerDefinitions?.[0]?.image).toBe(`${REPO_HOST}/api-qa@${digest("c")}`);
  });

  it("with --timeout -1 starts the deployment and does not wait", async () => {
    ({ world } = standardWorld());
    const run = await runEcs(world, ["deploy", "platform", "api-qa", "-t", "v2", "--timeout", "-1"]);
    expect(run.exitCode).toBe(0);
    expect(run.text).toMatch(/Started deployment ecs-svc\/\d+/);
    expect(world.calls("DescribeTargetHealth")).toEqual([]);
  });

  it("keeps the last N revisions and the rollback target ACTIVE, deregisters the rest", async () => {
    const std = standardWorld();
    world = std.world;
    std.service.script = goodRollout(world);
    const run = await runEcs(world, ["deploy", "platform", "api-qa", "-t", "v2", "--keep", "2"]);
    expect(run.exitCode).toBe(0);
    // Active 1..5 after the deploy; keep 5 and 4 (newest two); 4 is also the rollback target.
    const deregistered = world
      .calls("DeregisterTaskDefinition")
      .map((c) => (c as { taskDefinition: string }).taskDefinition);
    expect(deregistered.sort()).toEqual([tdArn("api-qa", 1), tdArn("api-qa", 2), tdArn("api-qa", 3)]);
  });

  it("--no-deregister deregisters nothing", async () => {
    const std = standardWorld();
    world = std.world;
    std.service.script = goodRollout(world);
    const run = await runEcs(world, [
      "deploy",
      "platform",
      "api-qa",
      "-t",
      "v2",
      "--keep",
      "1",
      "--no-deregister",
    ]);
    expect(run.exitCode).toBe(0);
    expect(world.calls("DeregisterTaskDefinition")).toEqual([]);
  });

  it("--task deploys a given revision as is and records what served before it", async () => {
    const std = standardWorld();
    world = std.world;
    std.service.script = goodRollout(world);
    const run = await runEcs(world, ["deploy", "platform", "api-qa", "--task", "api-qa:3"]);
    expect(run.exitCode).toBe(0);
    expect(world.calls("RegisterTaskDefinition")).toEqual([]);
    expect((world.calls("UpdateService")[0] as UpdateServiceCommandInput).taskDefinition).toBe(
      tdArn("api-qa", 3),
    );
    expect(world.calls("TagResource")).toEqual([
      { resourceArn: tdArn("api-qa", 3), tags: [{ key: "ecs-deploy:previous", value: "api-qa:4" }] },
    ]);
  });
});

describe("refused before anything changes", () => {
  // Complaint: deploying a tag that was never pushed.
  it("a tag that was never pushed: names image and repository, exit 3, no revision, no update", async () => {
    ({ world } = standardWorld());
    const run = await runEcs(world, ["deploy", "platform", "api-qa", "-t", "v9"]);
    expect(run.exitCode).toBe(3);
    expect(run.text).toMatch(/api-qa:v9: tag "v9" was never pushed to ECR repository api-qa/);
    expect(world.calls("RegisterTaskDefinition")).toEqual([]);
    expect(world.calls("UpdateService")).toEqual([]);
  });

  it("a repository that does not exist", async () => {
    ({ world } = standardWorld());
    const run = await runEcs(world, ["deploy", "platform", "api-qa", "-i", "api", `${REPO_HOST}/nope:v1`]);
    expect(run.exitCode).toBe(3);
    expect(run.text).toMatch(/ECR repository nope does not exist/);
    expect(world.calls("RegisterTaskDefinition")).toEqual([]);
  });

  it.each([
    [["deploy", "platform", "nope", "-t", "v2"], /service "nope" not found in cluster "platform"/],
    [["deploy", "elsewhere", "api-qa", "-t", "v2"], /cluster not found/],
    [
      ["deploy", "platform", "api-qa", "-e", "web", "A", "b"],
      /container "web" does not exist .*containers: api/,
    ],
    [["deploy", "platform", "api-qa", "-e", "api", "A"], /-e takes 3 values/],
    [
      ["deploy", "platform", "api-qa", "-s", "api", "bad name", "/p"],
      /not a valid environment variable name/,
    ],
    [["deploy", "platform", "api-qa", "--timeout", "soon"], /--timeout must be/],
    [["deploy", "platform", "api-qa", "--bogus"], /unknown option '--bogus'/],
  ])("bad usage %j: one line, exit 3, no stack trace", async (argv, message) => {
    ({ world } = standardWorld());
    const run = await runEcs(world, argv);
    expect(run.exitCode).toBe(3);
    expect(run.text).toMatch(message);
    expect(run.text).not.toMatch(/\n\s+at /);
    expect(world.calls("RegisterTaskDefinition")).toEqual([]);
    expect(world.calls("UpdateService")).toEqual([]);
  });

  it("bad credentials: exit 3 with the cause", async () => {
    ({ world } = standardWorld());
    const error = new Error("The security token included in the request is invalid.");
    error.name = "UnrecognizedClientException";
    world.ecs.on((await import("@aws-sdk/client-ecs")).DescribeServicesCommand).rejects(error);
    const run = await runEcs(world, ["deploy", "platform", "api-qa", "-t", "v2"]);
    expect(run.exitCode).toBe(3);
    expect(run.text).toMatch(/AWS does not recognize these credentials/);
  });
});

describe("a failing deploy", () => {
  it("crashing tasks: fails at the circuit breaker threshold, rolls back via StopServiceDeployment, shows the cause", async () => {
    const std = standardWorld();
    world = std.world;
    world.crashLog = ["starting", "Error: DATABASE_URL is not set", "    at main (main.js:3:9)"];
    std.service.script = crashingRollout(world, tdArn("api-qa", 5));
    const run = await runEcs(world, ["deploy", "platform", "api-qa", "-t", "v2"]);

    expect(run.exitCode).toBe(1);
    expect(run.text).toMatch(
      /FAILED: 3 tasks failed to start \(circuit breaker threshold 3\); rolled back to .*api-qa:4/,
    );
    expect(run.text).toMatch(/stopped: Essential container in task exited \(EssentialContainerExited\)/);
    expect(run.text).toMatch(/container api: exit code 1/);
    expect(run.text).toMatch(/Error: DATABASE_URL is not set/);
    expect(world.calls("StopServiceDeployment")).toEqual([expect.objectContaining({ stopType: "ROLLBACK" })]);
    expect(run.text).not.toMatch(/^.*Deployed /m);
  });

  it("without StopServiceDeployment: UpdateService back to exactly the revision that served before", async () => {
    const std = standardWorld();
    world = std.world;
    world.stopServiceDeploymentSupported = false;
    std.service.script = crashingRollout(world, tdArn("api-qa", 5));
    const run = await runEcs(world, ["deploy", "platform", "api-qa", "-t", "v2"]);
    expect(run.exitCode).toBe(1);
    const updates = (world.calls("UpdateService") as UpdateServiceCommandInput[]).map(
      (u) => u.taskDefinition,
    );
    expect(updates).toEqual([tdArn("api-qa", 5), tdArn("api-qa", 4)]);
  });

  // Complaint: rolling back to the wrong revision.
  it("while another deployment is still rolling out, goes back to the revision that really serves", async () => {
    const std = standardWorld();
    world = std.world;
    world.stopServiceDeploymentSupported = false;
    const deployments = std.service.service.deployments!;
    deployments[0]!.status = "ACTIVE";
    deployments.unshift({
      ...deployments[0]!,
      id: "ecs-svc/inflight",
      status: "PRIMARY",
      taskDefinition: tdArn("api-qa", 3),
      rolloutState: "IN_PROGRESS",
    });
    std.service.service.taskDefinition = tdArn("api-qa", 3);
    std.service.script = crashingRollout(world, tdArn("api-qa", 5));
    // The script starts with our UpdateService; until then the in-flight deployment stays in flight.
    std.service.polls = std.service.script.length;
    const run = await runEcs(world, ["deploy", "platform", "api-qa", "-t", "v2"]);
    expect(run.exitCode).toBe(1);
    expect(run.text).toMatch(/api-qa:3 is still in progress; api-qa:4 serves and is the rollback target/);
    const [register] = world.calls("RegisterTaskDefinition") as RegisterTaskDefinitionCommandInput[];
    expect(register?.tags).toContainEqual({ key: "ecs-deploy:previous", value: "api-qa:4" });
    const updates = (world.calls("UpdateService") as UpdateServiceCommandInput[]).map(
      (u) => u.taskDefinition,
    );
    expect(updates).toEqual([tdArn("api-qa", 5), tdArn("api-qa", 4)]);
  });

  // Complaint: circuit-breaker rollbacks reported as success.
  it("ECS's own circuit-breaker rollback is a failure (exit 1), followed to its end, not doubled", async () => {
    const std = standardWorld();
    world = std.world;
    const w = world;
    std.service.script = [
      (s) => w.crashTask(s, w.primary(s).id!, w.primary(s).taskDefinition!),
      (s) => w.rollBackTo(s, tdArn("api-qa", 4), "ECS deployment circuit breaker: tasks failed to start."),
    ];
    const run = await runEcs(world, ["deploy", "platform", "api-qa", "-t", "v2"]);
    expect(run.exitCode).toBe(1);
    expect(run.text).toMatch(/ECS rolled back to .*api-qa:4 .*circuit breaker/);
    expect(run.text).toMatch(/rolled back to .*api-qa:4/);
    expect(world.calls("StopServiceDeployment")).toEqual([]);
    expect((world.calls("UpdateService") as UpdateServiceCommandInput[]).length).toBe(1);
  });

  it("a placement failure event fails the deploy at once", async () => {
    const std = standardWorld();
    world = std.world;
    const w = world;
    std.service.script = [
      (s) =>
        w.event(
          s,
          "(service api-qa) was unable to place a task because no container instance met all of its requirements.",
        ),
    ];
    const run = await runEcs(world, ["deploy", "platform", "api-qa", "-t", "v2"]);
    expect(run.exitCode).toBe(1);
    expect(run.text).toMatch(/FAILED: \(service api-qa\) was unable to place a task/);
  });

  it("the timeout fails and rolls back", async () => {
    const std = standardWorld();
    world = std.world;
    std.service.script = [];
    const run = await runEcs(world, ["deploy", "platform", "api-qa", "-t", "v2", "--timeout", "30"]);
    expect(run.exitCode).toBe(1);
    expect(run.text).toMatch(/FAILED: no verdict after 30s/);
    expect(run.text).toMatch(/rolled back to/);
  });

  it("--no-rollback: exit 2 and the service is left alone", async () => {
    const std = standardWorld();
    world = std.world;
    std.service.script = crashingRollout(world, tdArn("api-qa", 5));
    const run = await runEcs(world, ["deploy", "platform", "api-qa", "-t", "v2", "--no-rollback"]);
    expect(run.exitCode).toBe(2);
    expect(run.text).toMatch(/not rolled back \(--no-rollback\)/);
    expect(world.calls("StopServiceDeployment")).toEqual([]);
    expect(world.calls("UpdateService")).toHaveLength(1);
  });

  it("a rollback that itself fails: exit 2", async () => {
    const std = standardWorld();
    world = std.world;
    std.service.script = crashingRollout(world, tdArn("api-qa", 5));
    std.service.onStopDeployment = (s, w) => {
      const rollback = w.rollBackTo(s, tdArn("api-qa", 4), "stopped");
      s.script = [
        () => undefined,
        (state) => {
          const d = state.service.deployments!.find((x) => x.id === rollback.id)!;
          d.rolloutState = "FAILED";
          d.rolloutStateReason = "tasks failed to start";
        },
      ];
    };
    const run = await runEcs(world, ["deploy", "platform", "api-qa", "-t", "v2"]);
    expect(run.exitCode).toBe(2);
    expect(run.text).toMatch(/ROLLBACK FAILED: rolloutState FAILED: tasks failed to start/);
  });
});

describe("throttling", () => {
  it("a throttled API slows a deploy down but does not fail it", async () => {
    const std = standardWorld();
    world = std.world;
    std.service.script = goodRollout(world);
    world.throttle.set("DescribeServices", 4);
    const run = await runEcs(world, ["deploy", "platform", "api-qa", "-t", "v2"]);
    expect(run.exitCode).toBe(0);
  });

  it("ten deploys in parallel under throttling all succeed", async () => {
    const std = standardWorld();
    world = std.world;
    const w = world;
    for (let i = 0; i < 10; i++) {
      const s = w.addService(`svc-${i}`, tdArn("api-qa", 4));
      s.script = goodRollout(w);
    }
    w.throttle.set("DescribeServices", 25);
    const runs = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        runEcs(w, ["deploy", "platform", `svc-${i}`, "-t", "v2", "--no-deregister"]),
      ),
    );
    expect(runs.map((r) => r.exitCode)).toEqual(Array(10).fill(0));
    expect(w.throttle.get("DescribeServices")).toBe(0);
  });
});

describe("secrets", () => {
  const serving = apiContainer({
    environment: [{ name: "DB_PASSWORD", value: "old-db-password-123" }],
    secrets: [{ name: "API_ADMIN_KEY", valueFrom: "/platform/qa/api/admin-key" }],
  });
  const argv = [
    "deploy",
    "platform",
    "api-qa",
    "-t",
    "v2",
    "-e",
    "api",
    "API_TOKEN",
    "new-token-456",
    "-s",
    "api",
    "TURN",
    "/platform/qa/turn",
  ];

  async function failingDeploy(extra: string[]) {
    const std = standardWorld(serving);
    world = std.world;
    world.crashLog = ["connecting with password old-db-password-123"];
    std.service.script = crashingRollout(world, tdArn("api-qa", 5));
    return runEcs(world, [...argv, ...extra]);
  }

  it("are never printed: not in the diff, not in errors, not in the logs we echo", async () => {
    const run = await failingDeploy([]);
    expect(run.exitCode).toBe(1);
    expect(run.text).toMatch(/\+ api.environment.API_TOKEN: \*\*\*\*/);
    expect(run.text).toMatch(/\+ api.secrets.TURN: \/platform\/qa\/turn/);
    expect(run.text).toMatch(/connecting with password \*\*\*\*/);
    expect(run.text).not.toContain("old-db-password-123");
    expect(run.text).not.toContain("new-token-456");
  });

  it("are never printed in --json", async () => {
    const run = await failingDeploy(["--json"]);
    expect(run.text).not.toContain("old-db-password-123");
    expect(run.text).not.toContain("new-token-456");
    expect(JSON.parse(run.out.join("\n"))).toMatchObject({ outcome: "rolled-back", exitCode: 1 });
  });
});
