import { DescribeTasksCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EcsTestRegion, type TestApp, waitFor } from "../../src/testing/index.js";

// What goes wrong: an image that crashes at start, an image that was never pushed, a task whose
// process is killed. qa must keep serving the good version, and ECS must say why.

let t: EcsTestRegion;
let qa: TestApp;

beforeAll(async () => {
  t = await EcsTestRegion.start({ taskPorts: { from: 43100, to: 43199 } });
  await t.createEdge();
  qa = await t.createApp("app-qa", "qa.localhost", 10);
  const v1 = await t.pushImage(qa, "v1");
  const service = await t.createService(qa, await t.registerApp(qa, v1));
  await t.waitForRollout(qa, service.deployments?.[0]?.id as string);
}, 60_000);

afterAll(async () => {
  await t?.region.cleanup();
}, 30_000);

async function stoppedTasks() {
  const arns = (
    await t.ecs.send(
      new ListTasksCommand({ cluster: "platform", serviceName: "app-qa", desiredStatus: "STOPPED" }),
    )
  ).taskArns;
  if (!arns?.length) return [];
  return (await t.ecs.send(new DescribeTasksCommand({ cluster: "platform", tasks: arns }))).tasks ?? [];
}

/** Polls qa's version until stopped; bounded by count. */
function watchQa() {
  const load = t.load(qa, { max: 1500, pauseMs: 50 });
  return { stop: async () => (await load.stop()).map((r) => `${r.status} ${r.body}`) };
}

describe("ECS failures", () => {
  it("trips the circuit breaker on an image that exits at start, rolls back, and qa serves v1 throughout", async () => {
    const crash = await t.pushImage(qa, "crash", { CRASH: "1" });
    const watcher = watchQa();
    const deployment = await t.deployImage(qa, crash);
    const failed = await t.waitForRollout(qa, deployment);
    const rollback = failed.deployments?.find((d) => d.status === "PRIMARY");
    expect(failed.deployments?.find((d) => d.id === deployment)?.rolloutState).toBe("FAILED");
    expect(failed.deployments?.find((d) => d.id === deployment)?.failedTasks).toBeGreaterThanOrEqual(3);
    expect(rollback?.id).not.toBe(deployment);
    const settled = await t.waitForRollout(qa, rollback?.id as string);
    const seen = await watcher.stop();

    expect(settled.deployments?.map((d) => d.rolloutState)).toEqual(["COMPLETED"]);
    expect(settled.taskDefinition).toMatch(/task-definition\/app-qa:1$/);
    expect(seen.length).toBeGreaterThan(10);
    expect(new Set(seen)).toEqual(new Set(["200 v1"]));
    const messages = settled.events?.map((e) => e.message) ?? [];
    expect(messages).toContain(
      `(service app-qa) (deployment ${deployment}) deployment failed: tasks failed to start.`,
    );
    expect(messages).toContain(`(service app-qa) rolling back to deployment ${rollback?.id}.`);
    const crashed = (await stoppedTasks()).filter((task) => task.startedBy === deployment);
    expect(crashed.length).toBeGreaterThanOrEqual(3);
    for (const task of crashed) {
      expect(task.stopCode).toBe("EssentialContainerExited");
      expect(task.stoppedReason).toBe("Essential container in task exited");
      expect(task.containers?.[0]?.exitCode).toBe(3);
    }
  }, 60_000);

  it("stops a task whose image was never pushed with CannotPullContainerError", async () => {
    const missing = (await t.pushImage(qa, "v1-again")).replace(/:v1-again$/, ":never-pushed");
    const deployment = await t.deployImage(qa, missing);
    const task = await waitFor("a stopped task of the deployment", async () =>
      (await stoppedTasks()).find((x) => x.startedBy === deployment),
    );
    expect(task.stopCode).toBe("TaskFailedToStart");
    expect(task.stoppedReason).toMatch(/^CannotPullContainerError: .*never-pushed.*not found$/);
    expect(task.containers?.[0]?.exitCode).toBeUndefined();
    expect(task.startedAt).toBeUndefined();
    const service = await t.describeService(qa);
    expect(service.events?.map((e) => e.message)).toContain(
      `(service app-qa) failed to launch a task with (error ${task.stoppedReason}).`,
    );
    // Roll it back ourselves rather than wait for three pulls.
    const failed = await t.waitForRollout(qa, deployment);
    const rollback = failed.deployments?.find((d) => d.status === "PRIMARY");
    if (rollback?.id !== deployment) await t.waitForRollout(qa, rollback?.id as string);
    expect((await t.get(qa, "/version")).body).toBe("v1");
  }, 60_000);

  it("replaces a task killed with SIGKILL and stops routing to it", async () => {
    const [arn] =
      (await t.ecs.send(new ListTasksCommand({ cluster: "platform", serviceName: "app-qa" }))).taskArns ?? [];
    const before = t.ecsPlugin.model.task(arn as string);
    const pid = before?.containers[0]?.pid as number;
    const port = before?.containers[0]?.networkBindings[0]?.hostPort as number;
    expect(pid).toBeGreaterThan(1);
    process.kill(pid, "SIGKILL");

    await waitFor(
      "the killed task's target to leave the healthy set",
      async () => {
        const health = await t.elb.send(
          new DescribeTargetHealthCommand({ TargetGroupArn: qa.targetGroupArn }),
        );
        const entry = health.TargetHealthDescriptions?.find((d) => d.Target?.Port === port);
        return entry === undefined || entry.TargetHealth?.State !== "healthy";
      },
      10_000, // interval 5 s × unhealthy threshold 2
    );
    const stopped = await waitFor("the killed task to be STOPPED", async () =>
      (await stoppedTasks()).find((x) => x.taskArn === arn),
    );
    expect(stopped.stopCode).toBe("EssentialContainerExited");
    expect(stopped.containers?.[0]?.exitCode).toBe(137);
    const replacement = await waitFor("a healthy replacement serving v1", async () => {
      const r = await t.get(qa, "/version").catch(() => undefined);
      return r?.status === 200 ? r : undefined;
    });
    expect(replacement.body).toBe("v1");
    const [now] =
      (await t.ecs.send(new ListTasksCommand({ cluster: "platform", serviceName: "app-qa" }))).taskArns ?? [];
    expect(now).not.toBe(arn);
  }, 60_000);
});
