import type { ECRClient } from "@aws-sdk/client-ecr";
import { type PackedImage, packImage, pushImageToEcr } from "@platform/image-format";

/**
 * A 30-line HTTP server: /healthz (503 once draining), /version (env VERSION), /env, /hog (eats
 * memory), /put-metric (CloudWatch PutMetricData through the SDK with only what the task's
 * environment says: the image needs NODE_PATH to find @aws-sdk/client-cloudwatch); CRASH=1 exits 3
 * at start, SLOW=1 never listens, ERRORS=1 passes its health check and answers 500 to everything
 * else (a version that starts fine and then fails its users); it logs its start and SIGTERM.
 * LOG_LINES_PER_SECOND=n (for LOG_SECONDS, 60 by default) prints n numbered JSON lines a second, a
 * tenth of them at level error, then `log lines done <count>` (the log ingestion benchmark).
 */
const SERVER = `
const http = require("node:http");
if (process.env.CRASH === "1") { console.error("fatal: cannot open config /etc/app.conf"); process.exit(3); }
if (process.env.SLOW === "1") { console.log("warming up..."); setInterval(() => {}, 1000); return; }
let draining = false;
const server = http.createServer((req, res) => {
  if (req.url === "/healthz") { res.writeHead(draining ? 503 : 200); return res.end(draining ? "draining" : "ok"); }
  if (process.env.ERRORS === "1") { res.writeHead(500, { "content-type": "text/plain" }); return res.end("internal error"); }
  if (req.url === "/version") { res.writeHead(200, { "content-type": "text/plain" }); return res.end(process.env.VERSION ?? "none"); }
  if (req.url === "/env") { res.writeHead(200, { "content-type": "application/json" }); return res.end(JSON.stringify(process.env)); }
  if (req.url === "/put-metric") {
    const cw = require("@aws-sdk/client-cloudwatch");
    const put = new cw.PutMetricDataCommand({ Namespace: "TestImage", MetricData: [{ MetricName: "Calls", Value: 1 }] });
    new cw.CloudWatchClient({}).send(put).then(() => { res.writeHead(200); res.end("put"); }, (e) => { res.writeHead(500); res.end(String(e)); });
    return;
  }
  if (req.url === "/hog") { globalThis.hog = []; const t = setInterval(() => globalThis.hog.push(Buffer.alloc(8 << 20, 1)), 20); t.unref(); res.writeHead(202); return res.end("hogging"); }
  res.writeHead(404); res.end();
});
server.keepAliveTimeout = 1000;
const rate = Number(process.env.LOG_LINES_PER_SECOND ?? 0);
if (rate > 0) {
  const started = Date.now(), seconds = Number(process.env.LOG_SECONDS ?? 60);
  let seq = 0;
  const tick = setInterval(() => {
    const due = Math.min(Math.round(((Date.now() - started) / 1000) * rate), seconds * rate);
    let out = "";
    for (; seq < due; seq++) out += JSON.stringify({ level: seq % 10 === 0 ? "error" : "info", seq, msg: "request handled" }) + "\\n";
    if (out) process.stdout.write(out);
    if (seq >= seconds * rate) { clearInterval(tick); console.log("log lines done " + seq); }
  }, 20);
}
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("listening on " + process.env.PORT + " version " + process.env.VERSION));
process.on("SIGTERM", () => { draining = true; console.log("SIGTERM received"); server.close(() => process.exit(0)); setTimeout(() => process.exit(0), 2000).unref(); });
`;

/** The test server as an image, with VERSION=tag and `env` baked into its config. */
export function testImage(tag: string, env: Record<string, string> = {}): Promise<PackedImage> {
  return packImage({
    files: [{ path: "app/server.js", content: SERVER }],
    config: {
      Cmd: ["node", "server.js"],
      WorkingDir: "/app",
      Env: [`VERSION=${tag}`, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)],
      ExposedPorts: { "3000/tcp": {} },
    },
  });
}

/** Pushes a packed image as `<repositoryName>:<tag>` (what `docker push` does) and returns that URI. */
export async function pushPackedImage(
  ecr: ECRClient,
  repositoryName: string,
  tag: string,
  image: PackedImage,
): Promise<string> {
  return (await pushImageToEcr(ecr, repositoryName, tag, image)).imageUri;
}
