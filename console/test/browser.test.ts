import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Platform, SERVICES, signedIn, startPlatform } from "./fixture.js";

// The console in headless Chromium over a real local region: every page and stream is closed to
// anyone without the session, and the pages show what the region's APIs say, live.

let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform({ from: 44700, to: 44799 });
}, 180_000);

afterAll(async () => {
  await platform?.stop();
});

describe("without a session", () => {
  it("answers 401 to every page, stream and read, and to a wrong key", async () => {
    for (const path of [
      "/",
      "/services",
      "/alarms",
      "/app.js",
      "/events/services",
      "/events/logs",
      "/api/mail",
    ]) {
      const res = await fetch(new URL(path, platform.console.url));
      expect(res.status, path).toBe(401);
      await res.body?.cancel();
    }
    const forged = await fetch(new URL("/events/services", platform.console.url), {
      headers: { cookie: "console_session=9999999999999.abc.def" },
    });
    expect(forged.status).toBe(401);
    const wrong = await fetch(new URL("/login", platform.console.url), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        accessKeyId: platform.ecs.region.credentials.accessKeyId,
        secretAccessKey: "nope",
      }),
      redirect: "manual",
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("are not the region");
  });

  it("gives an HttpOnly, SameSite=Strict cookie for the region's key", async () => {
    const { accessKeyId, secretAccessKey } = platform.ecs.region.credentials;
    const res = await fetch(new URL("/login", platform.console.url), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ accessKeyId, secretAccessKey }),
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await fetch(new URL("/services", platform.console.url), {
      headers: { cookie: cookie.split(";")[0] as string },
    });
    expect(page.status).toBe(200);
  });
});

describe("Services", () => {
  it("shows the four services by environment with their strategy and running/desired counts", async () => {
    const page = await signedIn(platform);
    for (const name of SERVICES) {
      const desired = name === "media-server-qa" ? 2 : 1;
      await expect
        .poll(() => page.textContent(`[data-service="${name}"] .counts`), { timeout: 60_000 })
        .toBe(`${desired}/${desired}`);
    }
    expect(await page.textContent('[data-env="prod"]')).toContain("api-prod");
    expect(await page.textContent('[data-env="qa"]')).toContain("media-server-qa");
    expect(await page.textContent('[data-service="api-prod"] .badge')).toBe("BLUE_GREEN");
    expect(await page.textContent('[data-service="api-qa"] .badge')).toBe("ROLLING");
    // The production rule sends everything to blue before any deployment.
    expect(
      await page.getAttribute('[data-service="api-prod"] [data-target-group="api-prod"]', "data-percent"),
    ).toBe("100");
    await page.close();
  });
});
