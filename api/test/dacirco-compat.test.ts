import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, makeClip, startTestService, type TestService, waitForJob } from "./helpers/service.js";

// The earlier control plane's (DaCirco's) request examples, as written: /vmaf with origin and
// profile.vmaf flags, bitrates as "1M" strings, and GET /jobs/{id} as the bare event array.

let svc: TestService;
let alice: ReturnType<typeof api>;
let aliceKey: string;
let libvmaf = false;

beforeAll(async () => {
  svc = await startTestService();
  aliceKey = (await svc.addKey("alice")).key;
  alice = api(svc.url, aliceKey);
  const clip = makeClip(join(svc.dir, "origin.mp4"), 1, "320x240");
  expect((await alice.put("/api/v1/objects/in/origin.mp4", readFileSync(clip))).status).toBe(201);
  const schema = (await (await alice.get("/api/v1/schema")).json()) as {
    capabilities: { qualityFilters: string[] };
  };
  libvmaf = schema.capabilities.qualityFilters.includes("libvmaf");
}, 60_000);

afterAll(() => svc?.stop());

async function submitted(response: Response): Promise<string> {
  expect(response.status, await response.clone().text()).toBe(201);
  const [job] = (await response.json()) as { jobid: string }[];
  return job!.jobid;
}

/** The earlier /vmaf request: this clip against itself, with the given profile. */
const vmafJob = async (profile?: unknown) =>
  submitted(
    await alice.post("/api/v1/vmaf", {
      input: "objects://in/origin.mp4",
      origin: "objects://in/origin.mp4",
      ...(profile !== undefined && { profile }),
    }),
  );

type Quality = { psnr: number | null; ssim: number | null; vmaf: number | null; msSsim: number | null };

describe("POST /api/v1/vmaf with origin and profile.vmaf", () => {
  it("computes the enabled metrics; VMAF and MS-SSIM where the host's ffmpeg has libvmaf, else null with the reason", async () => {
    const id = await vmafJob({ vmaf: { ssim: true, psnr: true, "ms-ssim": true } });
    const job = await waitForJob(svc.url, aliceKey, id);
    expect(job.status).toBe("COMPLETE");
    const result = job.result as Quality & { unavailable?: Record<string, string> };
    // The same file on both sides: SSIM 1, PSNR infinite (reported null).
    expect(result.ssim).toBe(1);
    if (libvmaf) {
      expect(result.vmaf).toBeGreaterThan(90);
      expect(result.msSsim).toBeGreaterThan(0.99);
      expect(result.unavailable).toBeUndefined();
    } else {
      expect([result.vmaf, result.msSsim]).toEqual([null, null]);
      expect(result.unavailable).toEqual({
        vmaf: expect.stringMatching(/has no libvmaf filter/),
        msSsim: expect.stringMatching(/has no libvmaf filter/),
      });
    }
  }, 60_000);

  it("leaves the metrics it was not asked for out (flags default to off)", async () => {
    const id = await vmafJob({ vmaf: { ssim: true } });
    const result = (await waitForJob(svc.url, aliceKey, id)).result as Quality;
    expect(result.ssim).toBe(1);
    expect(result.psnr).toBeNull();
    expect(result.msSsim).toBeNull();
  }, 60_000);

  it("keeps the current shape: reference, PSNR and SSIM", async () => {
    const id = await submitted(
      await alice.post("/api/v1/quality", {
        input: "objects://in/origin.mp4",
        reference: "objects://in/origin.mp4",
      }),
    );
    const result = (await waitForJob(svc.url, aliceKey, id)).result as Quality;
    expect(result.ssim).toBe(1);
    expect(result.vmaf === null).toBe(!libvmaf);
  }, 60_000);
});

describe("bitrate as the earlier service wrote it", () => {
  it('takes "1M" and "1500k" as Mb/s, and numbers as before', async () => {
    for (const [bitrate, mbps] of [
      ["1M", 1],
      ["1500k", 1.5],
      [2, 2],
    ] as const) {
      const id = await submitted(
        await alice.post("/api/v1/jobs", {
          input: "objects://in/origin.mp4",
          output: `objects://out-${mbps}/`,
          profile: { ffmpeg: { codec: "h264", scale: "240p", bitrate, speed: "ultrafast" } },
        }),
      );
      const body = (await (await alice.get(`/api/v1/jobs/${id}`)).json()) as {
        job: { profile: { ffmpeg: { bitrate: number } } };
      };
      expect(body.job.profile.ffmpeg.bitrate).toBe(mbps);
    }
  }, 60_000);
});

describe("GET /api/v1/jobs/{id}", () => {
  it("answers with the event array for ?format=events, and with {jobid, job, events} by default", async () => {
    const id = await vmafJob();
    await waitForJob(svc.url, aliceKey, id);
    const events = (await (await alice.get(`/api/v1/jobs/${id}?format=events`)).json()) as Record<
      string,
      unknown
    >[];
    expect(Array.isArray(events)).toBe(true);
    expect(events[0]).toMatchObject({ jobID: id, userID: "alice", action: "JobSummit" });
    expect(events.at(-1)).toMatchObject({
      action: "JobFinished",
      job: expect.objectContaining({ status: "COMPLETE" }),
    });
    const current = (await (await alice.get(`/api/v1/jobs/${id}`)).json()) as Record<string, unknown>;
    expect(Object.keys(current).sort()).toEqual(["events", "job", "jobid"]);
    expect(current.events).toEqual(events);
  }, 60_000);
});

describe("bad input in the earlier shapes: 400 with a clear message", () => {
  const cases: [string, string, unknown, RegExp][] = [
    [
      'bitrate "1Q"',
      "/api/v1/jobs",
      {
        input: "objects://in/origin.mp4",
        output: "objects://out/",
        profile: { ffmpeg: { codec: "h264", scale: "240p", bitrate: "1Q" } },
      },
      /profile\.ffmpeg\.bitrate: must be Mb\/s as a number \(3\) or a string like "3M" or "1500k"/,
    ],
    [
      'bitrate "20M" (outside the range)',
      "/api/v1/jobs",
      {
        input: "objects://in/origin.mp4",
        output: "objects://out/",
        profile: { ffmpeg: { codec: "h264", scale: "240p", bitrate: "20M" } },
      },
      /profile\.ffmpeg\.bitrate: must be at most 15/,
    ],
    [
      "an unknown vmaf flag",
      "/api/v1/vmaf",
      {
        input: "objects://in/origin.mp4",
        origin: "objects://in/origin.mp4",
        profile: { vmaf: { vif: true } },
      },
      /unknown field: profile\.vmaf\.vif/,
    ],
    [
      "a flag that is not a boolean",
      "/api/v1/vmaf",
      {
        input: "objects://in/origin.mp4",
        origin: "objects://in/origin.mp4",
        profile: { vmaf: { ssim: "yes" } },
      },
      /profile\.vmaf\.ssim: must be a boolean/,
    ],
    [
      "origin and reference both",
      "/api/v1/vmaf",
      {
        input: "objects://in/origin.mp4",
        origin: "objects://in/origin.mp4",
        reference: "objects://in/origin.mp4",
      },
      /give exactly one of reference or origin/,
    ],
  ];
  for (const [name, path, body, message] of cases)
    it(name, async () => {
      const response = await alice.post(path, body);
      const answer = (await response.json()) as { error: string; message: string };
      expect(response.status).toBe(400);
      expect(answer.message).toMatch(message);
    });

  it("an unknown format on GET /jobs/{id}", async () => {
    const response = await alice.get("/api/v1/jobs/abc?format=xml");
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(
      /format: must be one of "job", "events"/,
    );
  });
});
