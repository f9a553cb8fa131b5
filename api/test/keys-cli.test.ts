import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, expect, it } from "vitest";
import { authenticate } from "../src/http/auth.js";
import { openStore } from "../src/store/open.js";

// The keys CLI against a real SQLite file: add prints a key that authenticates; revoke kills it.

const API_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = mkdtempSync(join(tmpdir(), "api-keys-"));
const env = { PATH: process.env.PATH, DATABASE_URL: `sqlite:${join(dir, "api.db")}` };
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "src/cli/keys.ts", ...args], {
    cwd: API_DIR,
    env,
    encoding: "utf8",
  });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("adds, lists and revokes keys, storing only their hashes", async () => {
  const added = JSON.parse(cli("add", "dana", "--json").stdout) as {
    id: string;
    userid: string;
    key: string;
  };
  expect(added.userid).toBe("dana");
  expect(added.key).toMatch(/^tk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
  const listed = cli("list").stdout;
  expect(listed).toContain(`${added.id}\tdana\tuser\tactive`);
  expect(listed).not.toContain(added.key);
  const db = new Database(join(dir, "api.db"), { readonly: true });
  const dump = JSON.stringify(db.prepare("SELECT * FROM api_keys").all());
  db.close();
  expect(dump).toContain(added.id);
  expect(dump).not.toContain(added.key.slice(17));

  const store = await openStore(env.DATABASE_URL);
  expect((await authenticate(store, added.key)).userid).toBe("dana");
  expect(cli("revoke", added.id).status).toBe(0);
  await expect(authenticate(store, added.key)).rejects.toThrow(/revoked/);
  await store.close();

  const bad = cli("add", "-x");
  expect(bad.status).not.toBe(0);
  const unknown = cli("revoke", "nope");
  expect(unknown.status).not.toBe(0);
  expect(unknown.stderr).toContain("no active key with id nope");
}, 60_000);
