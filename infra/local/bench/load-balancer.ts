// Requests/s and p50/p99 latency through the local load balancer versus straight to the same
// backend, side by side in one run. Backend and region each run in their own process; this process
// only generates load. Bounded in count and time. Run: npx tsx infra/local/bench/load-balancer.ts
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { loadOrCreateAccessKey } from "../src/credentials.js";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const TIME_LIMIT_MS = Number(process.env.BENCH_TIME_LIMIT_MS ?? 20_000);
const LB_PORT = Number(process.env.BENCH_LB_PORT ?? 18080);

const children: ChildProcess[] = [];

const BACKEND = `
const http = require("node:http");
const body = JSON.stringify({ version: "bench", ok: true });
const server = http.createServer((req, res) => {
  if (req.url === "/healthz") return res.end("ok");
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 65000;
server.listen(0, "127.0.0.1", () => process.stdout.write(JSON.stringify({ port: server.address().port }) + "\\n"));
`;

function startChild(args: string[]): Promise<{ proc: ChildProcess; line: Record<string, unknown> }> {
  const proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  children.push(proc);
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve({ proc, line: JSON.parse(line) as Record<string, unknown> });
    });
    proc.once("exit", (code) => reject(new Error(`child exited with ${code}`)));
  });
}

interface Result {
  name: string;
  done: number;
  errors: number;
  seconds: number;
  latencies: number[];
}

async function load(name: string, port: number, host: string): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let issued = 0;
  let errors = 0;
  const started = performance.now();
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = request(
        { host: "127.0.0.1", port, path: "/api/v1/version", headers: { host }, agent },
        (res) => {
          res.resume();
          res.on("end", () => {
            if (res.statusCode === 200) latencies.push(performance.now() - t0);
            else errors++;
            resolve();
          });
        },
      );
      req.on("error", () => {
        errors++;
        resolve();
      });
      req.end();
    });
  const worker = async () => {
    while (issued < REQUESTS && performance.now() - started < TIME_LIMIT_MS) {
      issued++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
  return { name, done: latencies.length, errors, seconds: (performance.now() - started) / 1000, latencies };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function row(r: Result): string {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  const rps = r.done / r.seconds;
  return `| ${r.name} | ${r.done} | ${r.errors} | ${rps.toFixed(0)} | ${percentile(sorted, 50).toFixed(2)} | ${percentile(sorted, 99).toFixed(2)} |`;
}

async function main(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), "lb-bench-"));
  try {
    const backend = await startChild(["-e", BACKEND]);
    const backendPort = Number(backend.line.port);
    const regionScript = fileURLToPath(new URL("../src/testing/region-child.ts", import.meta.url));
    const region = await startChild(["--import", "tsx", regionScript, stateDir]);
    const creds = loadOrCreateAccessKey(stateDir);
    const elb = new ElasticLoadBalancingV2Client({
      endpoint: String(region.line.endpoint),
      region: "us-east-1",
      credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    });
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: "bench" }))).LoadBalancers![0]!;
    const tg = (
      await elb.send(
        new CreateTargetGroupCommand({
          Name: "bench",
          Protocol: "HTTP",
          Port: 80,
          HealthCheckPath: "/healthz",
          HealthCheckIntervalSeconds: 5,
          HealthCheckTimeoutSeconds: 2,
          HealthyThresholdCount: 2,
        }),
      )
    ).TargetGroups![0]!;
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Port: LB_PORT,
        Protocol: "HTTP",
        DefaultActions: [{ Type: "forward", TargetGroupArn: tg.TargetGroupArn }],
      }),
    );
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: tg.TargetGroupArn,
        Targets: [{ Id: "i-bench", Port: backendPort }],
      }),
    );
    const deadline = Date.now() + 20_000;
    for (;;) {
      const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
      if (health.TargetHealthDescriptions?.[0]?.TargetHealth?.State === "healthy") break;
      if (Date.now() > deadline) throw new Error("the backend never turned healthy");
      await new Promise((r) => setTimeout(r, 250));
    }
    await load("warm-up", backendPort, "localhost");
    const direct = await load("direct to backend", backendPort, "localhost");
    const through = await load("through load balancer", LB_PORT, "localhost");
    const cpu = cpus();
    console.log(
      `\n${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, Node ${process.version}, ${REQUESTS} requests per row, concurrency ${CONCURRENCY}, keep-alive\n`,
    );
    console.log("| path | requests ok | errors | req/s | p50 ms | p99 ms |");
    console.log("|---|---|---|---|---|---|");
    console.log(row(direct));
    console.log(row(through));
    elb.destroy();
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`bench failed: ${(error as Error).message}`);
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  process.exitCode = 1;
});
