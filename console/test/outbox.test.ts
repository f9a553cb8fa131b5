import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Outbox } from "../src/server/outbox.js";

const dir = mkdtempSync(join(tmpdir(), "console-outbox-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("Outbox", () => {
  it("lists the newest first with decoded subjects, and reads only names it lists", async () => {
    mkdirSync(join(dir, "outbox"));
    writeFileSync(join(dir, "secret.txt"), "no");
    const mail = (subject: string) =>
      `From: a@b\r\nTo: ops@example.test\r\nSubject: ${subject}\r\nDate: Thu, 03 Dec 2026 10:00:00 +0000\r\n\r\nline 1\r\nline 2`;
    writeFileSync(join(dir, "outbox", "2026-12-03T10-00-00-1-a.eml"), mail("first"));
    writeFileSync(
      join(dir, "outbox", "2026-12-03T10-00-01-2-b.eml"),
      mail(`=?UTF-8?B?${Buffer.from("ALARM: “api” ✓").toString("base64")}?=`),
    );
    const outbox = new Outbox(dir);
    const list = await outbox.list();
    expect(list.map((m) => m.subject)).toEqual(["ALARM: “api” ✓", "first"]);
    expect((await outbox.read("2026-12-03T10-00-00-1-a.eml"))?.body).toBe("line 1\nline 2");
    expect(await outbox.read("../secret.txt")).toBeUndefined();
    expect(await outbox.read("missing.eml")).toBeUndefined();
  });

  it("is empty when nothing was ever sent", async () => {
    expect(await new Outbox(join(dir, "none")).list()).toEqual([]);
  });
});
