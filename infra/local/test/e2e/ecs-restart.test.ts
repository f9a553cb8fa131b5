import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeTasksCommand, ListTaskDefinitionsCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "../region-fixture.js";
import {
  createQaService,
  describeService,
  type EcsTestRegion,
  getQa,
  pushTestImage,
  registerApp,
  setUpQa,
  startEcsRegion,
  waitForRollout,
} from "./ecs-region.js";

// A region stopped and started again on the same state folder: clusters, revisions, services and
// their completed deployments are still there, and the service runs its tasks again by itself.

const stateDir = mkdtempSync(join(tmpdir(), "ecs-restart-"));
let t: EcsTestRegion | undefined;

afterAll(async () => {
  await t?.region.stop();
  rmSync(stateDir, { recursive: true, force: true });
}, 30_000);

describe("region restart", () => {
  it("resumes services from the saved state without a new deployment", { timeout: 60_000 }, async () => {
    t = await startEcsRegion({ from: 43200, to: 43249 }, stateDir);
    await setUpQa(t);
    const service = await createQaService(t, await registerApp(t, await pushTestImage(t, "v1")));
    const deploymentId = service.deployments?.[0]?.id as string;
    await waitForRollout(t, deploymentId);
    const [before] =
      (await t.ecs.send(new ListTasksCommand({ cluster: "platform", serviceName: "app-qa" }))).taskArns ?? [];
    await t.region.stop();

    const listenerPort = t.listenerPort;
    const targetGroupArn = t.targetGroupArn;
    t = await startEcsRegion({ from: 43250, to: 43299 }, stateDir);
    Object.assign(t, { listenerPort, targetGroupArn });
    const stopped = (
      await t.ecs.send(new DescribeTasksCommand({ cluster: "platform", tasks: [before as string] }))
    ).tasks?.[0];
    expect(stopped?.lastStatus).toBe("STOPPED");
    expect(stopped?.stoppedReason).toBe("Task stopped because the local region is shutting down");

    const served = await waitFor("qa to serve v1 again", async () => {
      const r = await getQa(t as EcsTestRegion, "/version").catch(() => undefined);
      return r?.status === 200 ? r.body : undefined;
    });
    expect(served).toBe("v1");
    const now = await describeService(t);
    expect(now.deployments?.map((d) => [d.id, d.rolloutState])).toEqual([[deploymentId, "COMPLETED"]]);
    const [after] =
      (await t.ecs.send(new ListTasksCommand({ cluster: "platform", serviceName: "app-qa" }))).taskArns ?? [];
    expect(after).not.toBe(before);
    expect(
      (await t.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "app-qa" }))).taskDefinitionArns,
    ).toHaveLength(1);
  });
});
