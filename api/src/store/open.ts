import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { sqlApiKeys } from "./api-keys.js";
import type { Dialect } from "./dialect.js";
import { sqlJobQueries } from "./job-queries.js";
import { sqlLeases } from "./leases.js";
import { PostgresDialect } from "./postgres.js";
import { sqlQualityFrames } from "./quality-frames.js";
import { migrate } from "./schema.js";
import { SqliteDialect } from "./sqlite.js";
import { sqlJobStats } from "./stats.js";
import type { JobStore } from "./store.js";
import { sqlSubmissions } from "./submissions.js";
import { sqlWorkers } from "./workers.js";

/** `sqlite:<path>` (one host) or `postgres://...` (several hosts), migrated. */
export async function openStore(databaseUrl: string): Promise<JobStore> {
  const store = sqlStore(dialectFor(databaseUrl));
  await store.migrate();
  return store;
}

/** The store's parts, each its own SQL over the one dialect they share. */
function sqlStore(driver: Dialect): JobStore {
  const listeners = new Set<() => void>();
  const db = announcingCommits(driver, listeners);
  return {
    kind: db.name,
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    migrate: () => migrate(db),
    close: () => db.close(),
    ...sqlSubmissions(db),
    ...sqlJobQueries(db),
    ...sqlLeases(db),
    ...sqlQualityFrames(db),
    ...sqlApiKeys(db),
    ...sqlWorkers(db),
    ...sqlJobStats(db),
  };
}

/** The dialect, telling `listeners` after each transaction commits (not when it rolls back). */
function announcingCommits(db: Dialect, listeners: ReadonlySet<() => void>): Dialect {
  return {
    name: db.name,
    skipLocked: db.skipLocked,
    eventOrderLock: db.eventOrderLock,
    autoIncrement: db.autoIncrement,
    query: (text, params) => db.query(text, params),
    run: (text, params) => db.run(text, params),
    close: () => db.close(),
    async transaction(fn) {
      const result = await db.transaction(fn);
      for (const listener of listeners) listener();
      return result;
    },
  };
}

function dialectFor(databaseUrl: string): Dialect {
  if (databaseUrl.startsWith("sqlite:")) {
    const path = databaseUrl.slice("sqlite:".length);
    if (!path) throw new Error("DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/api.db");
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    return new SqliteDialect(path);
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return new PostgresDialect(databaseUrl);
  throw new Error("DATABASE_URL must start with sqlite: or postgres://");
}
