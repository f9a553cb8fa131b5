#!/usr/bin/env node
import { Command } from "commander";
import { loadConfig } from "../config.js";
import { USERID } from "../http/validation.js";
import { generateKey } from "../keys.js";
import { databaseTarget, openStore } from "../store/open.js";

// API keys for the transcoding API: add (prints the key once), revoke, list. Reads the service's
// database settings (DATABASE_URL, or DATABASE_SECRET_ARN and the rest on AWS).

async function withStore<T>(fn: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> {
  const store = await openStore(databaseTarget(loadConfig().database));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const program = new Command("keys").description(
  "manage the transcoding API's keys (DATABASE_URL selects the store)",
);

program
  .command("add")
  .argument("<userid>", "the user the key acts for")
  .option("--admin", "the key sees and cancels every user's jobs")
  .option("--json", "print {id, userid, key} as JSON")
  .action(async (userid: string, options: { admin?: boolean; json?: boolean }) => {
    const valid = USERID.safeParse(userid);
    if (!valid.success) program.error(`userid: ${valid.error.issues[0]?.message}`);
    const key = generateKey();
    await withStore((store) =>
      store.addKey({ id: key.id, userid, hash: key.hash, admin: options.admin === true }, Date.now()),
    );
    if (options.json) process.stdout.write(`${JSON.stringify({ id: key.id, userid, key: key.key })}\n`);
    else
      process.stdout.write(
        `key ${key.id} for ${userid}${options.admin ? " (admin)" : ""}; shown once:\n${key.key}\n`,
      );
  });

program
  .command("revoke")
  .argument("<keyid>", "the key's id (from add or list)")
  .action(async (keyId: string) => {
    const revoked = await withStore((store) => store.revokeKey(keyId, Date.now()));
    if (!revoked) program.error(`no active key with id ${keyId}`);
    process.stdout.write(`revoked ${keyId}\n`);
  });

program.command("list").action(async () => {
  const keys = await withStore((store) => store.listKeys());
  for (const k of keys) {
    const state = k.revokedAt ? `revoked ${new Date(k.revokedAt).toISOString()}` : "active";
    process.stdout.write(`${k.id}\t${k.userid}\t${k.admin ? "admin" : "user"}\t${state}\n`);
  }
});

program.parseAsync().catch((error: Error) => program.error(error.message));
