import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packImage } from "@platform/image-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImageConfig, ResolvedImage } from "../src/contracts.js";
import { PortAllocator } from "../src/runtime/tasks/port-allocator.js";
import { OOM_REASON, StartFailure, TaskRunner } from "../src/runtime/tasks/task-runner.js";
import { parseTaskDefinitionInput } from "../src/services/ecs/model/task-definition-input.js";
import type { ContainerExit } from "../src/services/ecs/model/tasks.js";
import type { TaskDefinitionRecord, TaskRecord } from "../src/services/ecs/model/types.js";
import type { LogSink } from "../src/services/logs/plugin.js";

// The task runner with real processes from a real image layer; the registry, secrets and log sink
// are small in-memory stand-ins for the region's.

const SCRIPT = `
const mode = process.argv[2];
if (mode === "hog") { const keep = []; setInterval(() => keep.push(Buffer.alloc(16 << 20, 1)), 10); }
if (mode === "stubborn") { process.on("SIGTERM", () => console.log("ignoring SIGTERM")); }
setInterval(() => {}, 1000);
// Last, so a test that waits for this line knows the handlers above are in place.
console.log(JSON.stringify({ env: process.env, cwd: process.cwd() }));
`;

let dir: string;
let image: ResolvedImage;
const exits: { taskArn: string; exit: ContainerExit }[] = [];
const lines: string[] = [];
const logs: LogSink = {
  hasGroup: (g) => g === "/ecs/test",
  createGroup: () => {},
  write: (_g, stream, events) => lines.push(...events.map((e) => `${stream} ${e.message}`)),
  tail: () => [],
};
let runner: TaskRunner;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tasks-runner-"));
  const config: ImageConfig = {
    Cmd: ["node", "main.js"],
    WorkingDir: "/srv",
    Env: ["FROM_IMAGE=1", "OVERRIDE=image"],
  };
  const packed = await packImage({ files: [{ path: "srv/main.js", content: SCRIPT }], config });
  const layer = join(dir, "layer.tar.gz");
  writeFileSync(layer, packed.layers[0]?.bytes as Buffer);
  image = { repositoryName: "app", imageDigest: packed.manifestDigest, config, layerFiles: [layer] };
  runner = new TaskRunner({
    stateDir: dir,
    endpoint: "http://127.0.0.1:4566",
    region: "eu-west-1",
    images: { resolve: (uri) => (uri.endsWith("app:good") ? image : undefined) },
    secrets: { resolve: (from) => (from === "/platform/qa/db" ? "sqlite:///tmp/db" : undefined) },
    logs,
    ports: new PortAllocator({ from: 43900, to: 43999 }),
    onContainerExit: (taskArn, exit) => exits.push({ taskArn, exit }),
  });
});

afterAll(() => {
  runner.close();
  rmSync(dir, { recursive: true, force: true });
});

function taskDefinition(container: Record<string, unknown>): TaskDefinitionRecord {
  const input = parseTaskDefinitionInput({
    family: "t",
    containerDefinitions: [
      { name: "app", image: "registry/app:good", memory: 128, essential: true, ...container },
    ],
  });
  return {
    ...input,
    taskDefinitionArn: "arn:td",
    revision: 1,
    status: "ACTIVE",
    compatibilities: ["EC2"],
    registeredAt: 0,
  };
}

let taskCounter = 0;
function task(): TaskRecord {
  taskCounter += 1;
  const taskId = `${taskCounter}`.padStart(32, "0");
  return { taskArn: `arn:task/${taskId}`, taskId, containers: [] } as unknown as TaskRecord;
}

async function exitOf(taskArn: string): Promise<ContainerExit> {
  for (let i = 0; i < 200; i++) {
    const found = exits.find((e) => e.taskArn === taskArn);
    if (found) return found.exit;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("no exit reported");
}

async function firstLine(stream: string): Promise<{ env: Record<string, string>; cwd: string }> {
  for (let i = 0; i < 100; i++) {
    const line = lines.find((l) => l.startsWith(`${stream} {`));
    if (line) return JSON.parse(line.slice(stream.length + 1));
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no output in ${stream}`);
}

async function waitForOutput(taskArn: string, prefix: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (runner.output(taskArn).some((l) => l.startsWith(prefix))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no output starting with ${prefix}`);
}

describe("task runner", () => {
  it("runs the image's command in its unpacked root with the task's environment, secrets and host ports", async () => {
    const t = task();
    const td = taskDefinition({
      environment: [{ name: "OVERRIDE", value: "task" }],
      secrets: [{ name: "DATABASE_URL", valueFrom: "/platform/qa/db" }],
      portMappings: [
        { containerPort: 3000, hostPort: 0 },
        { containerPort: 5000, hostPort: 0, protocol: "udp" },
      ],
      logConfiguration: {
        logDriver: "awslogs",
        options: { "awslogs-group": "/ecs/test", "awslogs-stream-prefix": "ecs" },
      },
    });
    const [started] = await runner.start(t, td);
    const tcp = started?.networkBindings.find((b) => b.protocol === "tcp");
    const udp = started?.networkBindings.find((b) => b.protocol === "udp");
    expect(tcp?.hostPort).toBeGreaterThanOrEqual(43900);
    expect(started?.imageDigest).toBe(image.imageDigest);

    const { env, cwd } = await firstLine(`ecs/app/${t.taskId}`);
    expect(cwd).toBe(join(dir, "images", image.imageDigest.slice(7), "srv"));
    expect(env.FROM_IMAGE).toBe("1");
    expect(env.OVERRIDE).toBe("task");
    expect(env.DATABASE_URL).toBe("sqlite:///tmp/db");
    expect(env.PORT).toBe(String(tcp?.hostPort));
    expect(env.HOST_PORT_3000_TCP).toBe(String(tcp?.hostPort));
    expect(env.HOST_PORT_5000_UDP).toBe(String(udp?.hostPort));
    expect(env.ECS_CONTAINER_METADATA_URI_V4).toBe(`http://127.0.0.1:4566/v4/${t.taskId}/app`);

    await runner.stop(t, td);
    // No SIGTERM handler: the process dies of the signal, 128 + 15 as Docker reports it.
    expect(await exitOf(t.taskArn)).toEqual({ name: "app", exitCode: 143 });
    expect(runner.isRunning(t.taskArn)).toBe(false);
  });

  it("refuses to start without the image (CannotPullContainerError) or a secret (ResourceInitializationError)", async () => {
    await expect(runner.start(task(), taskDefinition({ image: "registry/app:missing" }))).rejects.toThrow(
      /^CannotPullContainerError: .*registry\/app:missing: not found$/,
    );
    const noSecret = runner.start(task(), taskDefinition({ secrets: [{ name: "X", valueFrom: "/nope" }] }));
    await expect(noSecret).rejects.toBeInstanceOf(StartFailure);
    await expect(noSecret).rejects.toThrow(/^ResourceInitializationError: .*\/nope/);
    const noGroup = runner.start(
      task(),
      taskDefinition({
        logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/missing" } },
      }),
    );
    await expect(noGroup).rejects.toThrow(
      /^ResourceInitializationError: .*log group \/missing does not exist/,
    );
  });

  it("kills a container over its memory hard limit with OutOfMemoryError and exit code 137", async () => {
    const t = task();
    await runner.start(t, taskDefinition({ command: ["node", "main.js", "hog"], memory: 64 }));
    expect(await exitOf(t.taskArn)).toEqual({ name: "app", exitCode: 137, reason: OOM_REASON });
  });

  it("sends SIGKILL after stopTimeout to a container that ignores SIGTERM", { timeout: 15_000 }, async () => {
    const t = task();
    const td = taskDefinition({ command: ["node", "main.js", "stubborn"], stopTimeout: 2 });
    await runner.start(t, td);
    await waitForOutput(t.taskArn, "app: {");
    const before = Date.now();
    await runner.stop(t, td);
    // Not a speed check: SIGKILL must not come before the stopTimeout has passed.
    expect(Date.now() - before).toBeGreaterThanOrEqual(1900);
    expect(await exitOf(t.taskArn)).toEqual({ name: "app", exitCode: 137 });
    expect(runner.output(t.taskArn)).toContain("app: ignoring SIGTERM");
  });

  it("honours a fixed host port and refuses it when it is taken", async () => {
    const ports = new PortAllocator({ from: 43950, to: 43951 }, async () => true);
    expect(await ports.allocate(43960, "tcp")).toBe(43960);
    await expect(ports.allocate(43960, "tcp")).rejects.toThrow(/43960\/tcp is already in use/);
    expect(await ports.allocate(0, "tcp")).toBe(43950);
    expect(await ports.allocate(0, "tcp")).toBe(43951);
    await expect(ports.allocate(0, "tcp")).rejects.toThrow(/no free tcp host port/);
    ports.release(43950, "tcp");
    expect(await ports.allocate(0, "tcp")).toBe(43950);
  });
});
