import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packImage } from "@platform/image-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResolvedImage, Target, TargetGroups, TargetHealthView } from "../src/contracts.js";
import { Scheduler } from "../src/runtime/scheduler/scheduler.js";
import { PortAllocator } from "../src/runtime/tasks/port-allocator.js";
import { startTicksOf } from "../src/runtime/tasks/proc.js";
import { TaskRunner } from "../src/runtime/tasks/task-runner.js";
import { createService, newModel, register, TG } from "./ecs-fixtures.js";

// The scheduler between the model and a real task runner; the target groups are an in-memory
// stand-in that records calls and lets the test say when a target is healthy or drained.

const SERVER = `
const http = require("node:http");
const server = http.createServer((req, res) => res.end("ok"));
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => { console.log("SIGTERM at " + Date.now()); server.close(() => process.exit(0)); });
`;

class FakeTargetGroups implements TargetGroups {
  calls: string[] = [];
  listeners: ((arn: string, t: TargetHealthView) => void)[] = [];
  releaseDrain: (() => void) | undefined;
  /** Once set, draining ends at once (the replacement task stopped at shutdown). */
  autoDrain = false;
  describe() {
    return {} as ReturnType<TargetGroups["describe"]>;
  }
  register(arn: string, targets: Target[]) {
    this.calls.push(`register ${targets[0]?.port}`);
    const healthy = { ...(targets[0] as Target), state: "healthy" as const };
    setTimeout(() => {
      for (const listener of this.listeners) listener(arn, healthy);
    }, 10);
  }
  deregister(_arn: string, targets: Target[]) {
    this.calls.push(`deregister ${targets[0]?.port}`);
    return new Promise<void>((resolve) => {
      this.releaseDrain = () => {
        this.calls.push(`drained ${targets[0]?.port}`);
        resolve();
      };
      if (this.autoDrain) this.releaseDrain();
    });
  }
  health() {
    return [];
  }
  onHealthChange(listener: (arn: string, t: TargetHealthView) => void) {
    this.listeners.push(listener);
    return () => {};
  }
}

let dir: string;
let image: ResolvedImage;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "scheduler-"));
  const packed = await packImage({
    files: [{ path: "app/server.js", content: SERVER }],
    config: { Cmd: ["node", "server.js"], WorkingDir: "/app" },
  });
  writeFileSync(join(dir, "layer.tgz"), packed.layers[0]?.bytes as Buffer);
  image = {
    repositoryName: "app",
    imageDigest: packed.manifestDigest,
    config: { Cmd: ["node", "server.js"], WorkingDir: "/app" },
    layerFiles: [join(dir, "layer.tgz")],
  };
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function setUp(resolveImage: boolean) {
  const { model } = newModel();
  const targetGroups = new FakeTargetGroups();
  let scheduler: Scheduler | undefined;
  const runner = new TaskRunner({
    stateDir: dir,
    endpoint: "http://127.0.0.1:1",
    region: "us-east-1",
    images: { resolve: () => (resolveImage ? image : undefined) },
    secrets: { resolve: () => undefined },
    logs: { hasGroup: () => true, createGroup: () => {}, write: () => {}, tail: () => [] },
    ports: new PortAllocator({ from: 43400, to: 43499 }),
    onContainerExit: (arn, exit) => scheduler?.containerExited(arn, exit),
  });
  scheduler = new Scheduler({ model, runner, targetGroups, log: () => {} });
  return { model, runner, scheduler, targetGroups };
}

async function until<T>(what: string, check: () => T | undefined | false): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("scheduler", () => {
  it("launches a service's task, registers its target once it listens, and drains before SIGTERM", {
    timeout: 20_000,
  }, async () => {
    const { model, runner, scheduler, targetGroups } = setUp(true);
    const td = register(model, "registry/app:1");
    const service = createService(model, 1, td.taskDefinitionArn);
    scheduler.start();
    await until("the deployment to complete", () => service.deployments[0]?.rolloutState === "COMPLETED");
    const [task] = model.liveTasks();
    const port = task?.containers[0]?.networkBindings[0]?.hostPort;
    expect(task?.lastStatus).toBe("RUNNING");
    expect(targetGroups.calls).toEqual([`register ${port}`]);

    model.stopTask("platform", task?.taskArn, "test stop");
    scheduler.nudge();
    await until("deregistration to start", () => targetGroups.releaseDrain);
    expect(task?.lastStatus).toBe("DEACTIVATING");
    // Still draining: the process must not have been signalled yet.
    expect(runner.output(task?.taskArn as string).some((l) => l.includes("SIGTERM"))).toBe(false);
    targetGroups.releaseDrain?.();
    await until("the task to stop", () => task?.lastStatus === "STOPPED");
    expect(targetGroups.calls.slice(0, 3)).toEqual([
      `register ${port}`,
      `deregister ${port}`,
      `drained ${port}`,
    ]);
    expect(runner.output(task?.taskArn as string).some((l) => l.includes("SIGTERM at"))).toBe(true);
    expect(task?.stopCode).toBe("UserInitiated");
    expect(task?.containers[0]?.exitCode).toBe(0);
    targetGroups.autoDrain = true;
    await scheduler.stop();
    expect(model.liveTasks()).toEqual([]);
    runner.close();
  });

  it("ends the tasks a previous region left running and lets the service replace them", {
    timeout: 20_000,
  }, async () => {
    const { model, runner, scheduler } = setUp(false);
    const td = register(model, "registry/app:1");
    createService(model, 1, td.taskDefinitionArn);
    const [leftover] = model.reconcile();
    const orphan = spawn("sleep", ["60"], { detached: true, stdio: "ignore" });
    const exited = new Promise((resolve) => orphan.once("exit", (_code, signal) => resolve(signal)));
    model.lifecycle.pending(leftover!);
    model.lifecycle.activating(leftover!, [
      {
        name: "app",
        pid: orphan.pid as number,
        pidStartTicks: startTicksOf(orphan.pid as number) as number,
        networkBindings: [],
      },
    ]);
    model.lifecycle.running(leftover!, [
      {
        targetGroupArn: TG,
        containerName: "app",
        containerPort: 3000,
        hostPort: 43499,
        state: "healthy",
        registered: true,
      },
    ]);

    scheduler.start();
    expect(await exited).toBe("SIGKILL");
    expect(leftover?.lastStatus).toBe("STOPPED");
    expect(leftover?.stoppedReason).toBe("Task stopped because the local region restarted");
    const replacement = await until(
      "a replacement task",
      () => model.state.tasks && Object.values(model.state.tasks).find((t) => t !== leftover),
    );
    expect(replacement.group).toBe("service:api-qa");
    await scheduler.stop();
    runner.close();
  });
});
