import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PostgresDialect } from "./postgres.js";
import { SqlStore } from "./sql-store.js";
import { SqliteDialect } from "./sqlite.js";
import type { JobStore } from "./store.js";

/** `sqlite:<path>` (one host) or `postgres://...` (several hosts). */
export async function openStore(databaseUrl: string): Promise<JobStore> {
  let store: SqlStore;
  if (databaseUrl.startsWith("sqlite:")) {
    const path = databaseUrl.slice("sqlite:".length);
    if (!path) throw new Error("DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/api.db");
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    store = new SqlStore(new SqliteDialect(path));
  } else if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    store = new SqlStore(new PostgresDialect(databaseUrl));
  } else {
    throw new Error("DATABASE_URL must start with sqlite: or postgres://");
  }
  await store.migrate();
  return store;
}
