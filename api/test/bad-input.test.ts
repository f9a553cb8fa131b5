import { createReadStream, readFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { publicUnicastOnly } from "../src/storage/address-policy.js";
import { api, makeClip, startTestService, type TestService, waitForJob } from "./helpers/service.js";

// Every bad input gets a 4xx that says what was wrong; nothing is a 5xx; nothing leaks.

let svc: TestService;
let alice: ReturnType<typeof api>;
let aliceKey: string;
let bobKey: string;
let web: Server;
let webPort = 0;
let fileServer: Server;
let filePort = 0;

const PROFILE = { ffmpeg: { codec: "h264", scale: "240p", bitrate: 1, speed: "ultrafast" } };
const job = (overrides: Record<string, unknown>) => ({
  input: "objects://in/clip.mp4",
  output: "objects://out/",
  profile: PROFILE,
  ...overrides,
});

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

/** A raw request: fetch() would normalise `..` out of the path before sending it. */
function rawRequest(
  method: string,
  path: string,
  key: string,
  body = "",
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: new URL(svc.url).port,
        method,
        path,
        headers: { authorization: `Bearer ${key}` },
      },
      (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function expectRejected(response: Response | Promise<Response>, status: number, message: RegExp) {
  const r = await response;
  const text = await r.text();
  expect(r.status, text).toBe(status);
  const body = JSON.parse(text) as { error: string; message: string };
  expect(body.message).toMatch(message);
  expect(text).not.toMatch(/\/tmp\/|node_modules|\n\s+at |api-svc-/);
}

beforeAll(async () => {
  // The file server is a loopback "internal" service: only the guard stands between it and a job.
  fileServer = createServer((_req, res) => createReadStream(join(svc.dir, "clip.mp4")).pipe(res));
  filePort = await listen(fileServer);
  web = createServer((req, res) => {
    const targets: Record<string, string> = {
      "/to-loopback": `http://127.0.0.1:${filePort}/clip.mp4`,
      "/to-metadata": "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
      "/to-private": "http://10.0.0.1/clip.mp4",
      "/to-localhost": `http://localhost:${filePort}/clip.mp4`,
      "/to-file": "file:///etc/passwd",
    };
    const target = targets[req.url ?? ""];
    if (target) {
      res.writeHead(302, { location: target }).end();
    } else if (req.url === "/clip.mp4") {
      createReadStream(join(svc.dir, "clip.mp4")).pipe(res);
    } else {
      res.writeHead(404).end();
    }
  });
  webPort = await listen(web);
  // Stands in for a public web server: this one loopback port is allowed, nothing else private is.
  const policy = (address: string, port: number | undefined) =>
    (address === "127.0.0.1" && port === webPort) || publicUnicastOnly(address, port);
  svc = await startTestService({ ALLOWED_BUCKETS: "media-in" }, policy);
  aliceKey = (await svc.addKey("alice")).key;
  bobKey = (await svc.addKey("bob")).key;
  alice = api(svc.url, aliceKey);
  makeClip(join(svc.dir, "clip.mp4"), 1, "320x240");
  expect(
    (await alice.put("/api/v1/objects/in/clip.mp4", readFileSync(join(svc.dir, "clip.mp4")))).status,
  ).toBe(201);
}, 60_000);

afterAll(async () => {
  await svc?.stop();
  web?.close();
  fileServer?.close();
});

describe("request bodies", () => {
  it("rejects malformed JSON, oversized bodies and non-objects", async () => {
    await expectRejected(alice.post("/api/v1/jobs", '{"input": '), 400, /not valid JSON/);
    await expectRejected(
      alice.post("/api/v1/jobs", job({ input: "x".repeat(300_000) })),
      413,
      /larger than the limit/,
    );
    await expectRejected(alice.post("/api/v1/jobs", "[1,2]"), 400, /must be a JSON object/);
  });

  it("refuses a declared length over the limit before reading the body, and closes the connection", async () => {
    // 100 MiB declared, 1 MiB sent: an answer can only come from refusing it unread.
    const socket = connect(Number(new URL(svc.url).port), "127.0.0.1");
    socket.on("error", () => undefined);
    socket.write(
      `POST /api/v1/jobs HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${aliceKey}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n`,
    );
    socket.write(Buffer.alloc(1024 * 1024, "["));
    let answer = "";
    socket.on("data", (c: Buffer) => {
      answer += c.toString();
    });
    const closed = new Promise<boolean>((resolve) => socket.once("close", () => resolve(true)));
    const bound = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000));
    const ended = await Promise.race([closed, bound]);
    socket.destroy();
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    expect(answer).toMatch(/larger than the limit of 262144 bytes/);
    expect(ended).toBe(true);
  });

  it("names unknown fields", async () => {
    await expectRejected(alice.post("/api/v1/jobs", job({ colour: "red" })), 400, /unknown field: colour/);
    await expectRejected(
      alice.post("/api/v1/jobs", job({ profile: { ffmpeg: { ...PROFILE.ffmpeg, crf: 18 } } })),
      400,
      /unknown field: profile\.ffmpeg\.crf/,
    );
  });

  it("names values outside the schema and what is allowed", async () => {
    const ff = (extra: Record<string, unknown>) =>
      job({ profile: { ffmpeg: { ...PROFILE.ffmpeg, ...extra } } });
    await expectRejected(
      alice.post("/api/v1/jobs", ff({ codec: "vp9" })),
      400,
      /profile\.ffmpeg\.codec: must be one of "h264", "h265"/,
    );
    await expectRejected(
      alice.post("/api/v1/jobs", ff({ scale: "4k" })),
      400,
      /profile\.ffmpeg\.scale: must be one of "1080p"/,
    );
    await expectRejected(
      alice.post("/api/v1/jobs", ff({ bitrate: 16 })),
      400,
      /profile\.ffmpeg\.bitrate: must be at most 15/,
    );
    await expectRejected(
      alice.post("/api/v1/jobs", ff({ speed: "placebo" })),
      400,
      /profile\.ffmpeg\.speed: must be one of "ultrafast"/,
    );
    await expectRejected(
      alice.post("/api/v1/jobs", ff({ platform: "gpu" })),
      400,
      /platform: 'gpu' is not available/,
    );
    await expectRejected(
      alice.post("/api/v1/jobs", job({ priority: 101 })),
      400,
      /priority: must be at most 100/,
    );
    await expectRejected(
      alice.post("/api/v1/jobs", job({ batchInputs: ["objects://in/clip.mp4"] })),
      400,
      /exactly one of input/,
    );
    await expectRejected(alice.get("/api/v1/jobs?status=DONE"), 400, /status: must be one of "SUBMITTED"/);
    await expectRejected(alice.get("/api/v1/jobs?limit=1000"), 400, /limit: must be at most 100/);
    await expectRejected(alice.get("/api/v1/jobs?cursor=bogus"), 400, /cursor/);
  });
});

describe("paths, schemes and injection", () => {
  it("refuses other schemes and ffmpeg protocol and option tricks", async () => {
    for (const input of [
      "file:///etc/passwd",
      "-i /etc/passwd",
      "concat:a.mp4|b.mp4",
      "pipe:0",
      "/etc/passwd",
      "subfile,,start,0,end,0,,:/etc/passwd",
    ]) {
      await expectRejected(
        alice.post("/api/v1/jobs", job({ input })),
        400,
        /input must be an objects:\/\/, s3:\/\/ or http\(s\):\/\/ URI/,
      );
    }
    await expectRejected(
      alice.post("/api/v1/jobs", job({ input: "objects://-y.mp4" })),
      400,
      /input 'objects?:?.*-y\.mp4'|input '-y.mp4' is not valid/,
    );
    await expectRejected(
      alice.post("/api/v1/jobs", job({ output: "objects://-f/" })),
      400,
      /output '-f\/' is not valid/,
    );
    await expectRejected(
      alice.post("/api/v1/jobs", job({ output: "file:///tmp/" })),
      400,
      /output must be an objects:\/\/ or s3:\/\/ URI/,
    );
    await expectRejected(
      alice.post("/api/v1/jobs", job({ output: "http://example.com/" })),
      400,
      /output must be/,
    );
    await expectRejected(alice.post("/api/v1/jobs", job({ userid: "-rf" })), 400, /userid: must be 1-64/);
    await expectRejected(
      alice.post("/api/v1/jobs", job({ clientRequestToken: "--x" })),
      400,
      /clientRequestToken/,
    );
    await expectRejected(
      alice.post("/api/v1/jobs", job({ input: "s3://secret-bucket/a.mp4" })),
      400,
      /bucket 'secret-bucket' is not one this service may use/,
    );
  });

  it("refuses ../ in keys and output prefixes", async () => {
    await expectRejected(
      alice.post("/api/v1/jobs", job({ input: "objects://../bob/in/clip.mp4" })),
      400,
      /must not contain '\.\.'/,
    );
    await expectRejected(
      alice.post("/api/v1/jobs", job({ output: "objects://out/../../" })),
      400,
      /must not contain '\.\.'/,
    );
    await expectRejected(
      alice.post("/api/v1/jobs", job({ input: "s3://media-in/../x.mp4" })),
      400,
      /must not contain '\.\.'/,
    );
    for (const path of [
      "/api/v1/objects/../../etc/passwd",
      "/api/v1/objects/a/%2e%2e/%2e%2e/x",
      "/api/v1/objects/.hidden",
    ]) {
      const get = await rawRequest("GET", path, aliceKey);
      expect(get.status, path).toBeGreaterThanOrEqual(400);
      expect(get.status, path).toBeLessThan(500);
    }
    const put = await rawRequest(
      "PUT",
      "/api/v1/objects/a/%2e%2e/%2e%2e/%2e%2e/escape.mp4",
      aliceKey,
      "data",
    );
    expect(put.status).toBe(400);
    expect(JSON.parse(put.body).message).toMatch(/'\.\.'|not valid/);
  });

  it("fails a job whose input is not a video with a clear error code and no internal paths", async () => {
    expect((await alice.put("/api/v1/objects/in/notes.mp4", "just some text, not a video")).status).toBe(201);
    const response = await alice.post("/api/v1/jobs", job({ input: "objects://in/notes.mp4" }));
    const [submitted] = (await response.json()) as { jobid: string }[];
    const done = await waitForJob(svc.url, aliceKey, submitted!.jobid);
    expect([done.status, done.errorCode]).toEqual(["ERROR", "INPUT_INVALID"]);
    expect(done.errorMessage).toBe("the input is not a media file ffmpeg can read");
    expect(done.attempts).toBe(1);
  }, 30_000);

  it("refuses inputs that do not exist", async () => {
    await expectRejected(
      alice.post("/api/v1/jobs", job({ input: "objects://in/missing.mp4" })),
      400,
      /input objects:\/\/in\/missing\.mp4 does not exist/,
    );
  });
});

describe("URLs to internal addresses", () => {
  it("refuses loopback, metadata, private and unspecified addresses", async () => {
    for (const input of [
      "http://127.0.0.1/clip.mp4",
      `http://127.0.0.1:${filePort}/clip.mp4`,
      "http://169.254.169.254/latest/meta-data/",
      "http://10.1.2.3/clip.mp4",
      "http://192.168.1.1/clip.mp4",
      "http://[::1]/clip.mp4",
      "http://[::ffff:127.0.0.1]/clip.mp4",
      "http://0.0.0.0/clip.mp4",
      "http://2130706433/clip.mp4",
      `http://localhost:${filePort}/clip.mp4`,
    ]) {
      await expectRejected(alice.post("/api/v1/jobs", job({ input })), 400, /non-public address/);
    }
  });

  it("refuses redirects to them, and fetches an allowed URL", async () => {
    for (const path of ["/to-loopback", "/to-metadata", "/to-private", "/to-localhost"]) {
      await expectRejected(
        alice.post("/api/v1/jobs", job({ input: `http://127.0.0.1:${webPort}${path}` })),
        400,
        /non-public address/,
      );
    }
    await expectRejected(
      alice.post("/api/v1/jobs", job({ input: `http://127.0.0.1:${webPort}/to-file` })),
      400,
      /only http\(s\) is fetched/,
    );
    const ok = await alice.post(
      "/api/v1/jobs",
      job({ input: `http://127.0.0.1:${webPort}/clip.mp4`, output: "objects://web/" }),
    );
    expect(ok.status).toBe(201);
    const [submitted] = (await ok.json()) as { jobid: string; output: string }[];
    expect(submitted!.output).toBe("objects://web/clip.mp4");
    expect((await waitForJob(svc.url, aliceKey, submitted!.jobid)).status).toBe("COMPLETE");
  }, 60_000);
});

describe("keys and ownership", () => {
  it("refuses missing, malformed, unknown and revoked keys", async () => {
    await expectRejected(fetch(`${svc.url}/api/v1/jobs`), 401, /missing API key/);
    await expectRejected(
      fetch(`${svc.url}/api/v1/jobs`, { headers: { authorization: "Basic abc" } }),
      401,
      /malformed Authorization/,
    );
    await expectRejected(
      api(svc.url, "tk_nope_0123456789abcdef0123").get("/api/v1/jobs"),
      401,
      /not valid or has been revoked/,
    );
    const carol = await svc.addKey("carol");
    expect((await api(svc.url, carol.key).get("/api/v1/jobs")).status).toBe(200);
    await svc.service.store.revokeKey(carol.id, Date.now());
    await expectRejected(api(svc.url, carol.key).get("/api/v1/jobs"), 401, /not valid or has been revoked/);
    const ws = new WebSocket(`${svc.url.replace("http", "ws")}/api/v1/ws`);
    const status = await new Promise<number>((resolve) =>
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(401);
    const badLastMod = new WebSocket(`${svc.url.replace("http", "ws")}/api/v1/ws?lastMod=-1`, {
      headers: { authorization: `Bearer ${aliceKey}` },
    });
    const badStatus = await new Promise<number>((resolve) =>
      badLastMod.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(badStatus).toBe(400);
  });

  it("hides another user's jobs and objects", async () => {
    const response = await alice.post("/api/v1/jobs", job({ output: "objects://mine/" }));
    const [mine] = (await response.json()) as { jobid: string }[];
    const bob = api(svc.url, bobKey);
    await expectRejected(bob.get(`/api/v1/jobs/${mine!.jobid}`), 404, /no job/);
    await expectRejected(bob.post(`/api/v1/jobs/${mine!.jobid}/cancel`, {}), 404, /no job/);
    await expectRejected(bob.get("/api/v1/alice/jobs"), 403, /only your own jobs/);
    await expectRejected(bob.get("/api/v1/jobs?userid=alice"), 403, /not yours/);
    await expectRejected(
      bob.post("/api/v1/jobs", job({ userid: "alice" })),
      403,
      /userid 'alice' is not yours/,
    );
    await expectRejected(bob.get("/api/v1/objects/in/clip.mp4"), 404, /no object/);
    await expectRejected(bob.post("/api/v1/jobs", job({})), 400, /does not exist/);
    const bobList = (await (await bob.get("/api/v1/jobs")).json()) as { jobs: unknown[] };
    expect(bobList.jobs).toEqual([]);
    const admin = api(svc.url, (await svc.addKey("ops", true)).key);
    expect((await admin.get(`/api/v1/jobs/${mine!.jobid}`)).status).toBe(200);
    expect((await admin.get("/api/v1/alice/jobs")).status).toBe(200);
  });
});
