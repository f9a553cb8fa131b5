// A `ecs deploy --test-command` check: GET /api/v1/version through the test listener (TEST_URL,
// TEST_HOST) for a few seconds and pass only if every answer names the expected commit — green, and
// green alone, is on the test listener. While it runs ECS waits at the PAUSE hook, so production is
// still on blue for as long as it takes.
//
//   node test/scripts/expect-version.mjs <commit> <seconds>

import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

const [expected, seconds = "3"] = process.argv.slice(2);
const base = process.env.TEST_URL;
if (!expected || !base) {
  console.error("usage: TEST_URL=<test listener> node expect-version.mjs <commit> [seconds]");
  process.exit(2);
}
const url = new URL("/api/v1/version", base);
const local = url.hostname === "localhost" || url.hostname.endsWith(".localhost");
const host = process.env.TEST_HOST ?? url.host;

function get() {
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      {
        // A .localhost name is this machine: the local region's load balancer, its own certificate.
        host: local ? "127.0.0.1" : url.hostname,
        port: url.port,
        path: url.pathname,
        headers: { host },
        timeout: 5_000,
        ...(url.protocol === "https:" && {
          servername: host.replace(/:\d+$/, ""),
          rejectUnauthorized: !local,
        }),
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

const until = Date.now() + Number(seconds) * 1000;
const seen = {};
let requests = 0;
while (Date.now() < until) {
  requests++;
  const answer = await get().catch((error) => ({ status: 0, body: error.message }));
  let commit = `status ${answer.status}`;
  try {
    if (answer.status === 200) commit = JSON.parse(answer.body).commit;
  } catch {
    commit = "not JSON";
  }
  seen[commit] = (seen[commit] ?? 0) + 1;
  await new Promise((resolve) => setTimeout(resolve, 20));
}
console.log(`${requests} requests to ${url.href} (Host: ${host}): ${JSON.stringify(seen)}`);
const ok = requests > 0 && seen[expected] === requests;
console.log(ok ? `every answer is ${expected}` : `expected ${expected} on every answer`);
process.exit(ok ? 0 : 1);
