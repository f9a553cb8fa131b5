import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DatabaseConfig } from "../config.js";
import type { Scheduling } from "../model/scheduling.js";
import { sqlApiKeys } from "./api-keys.js";
import { DatabaseSecret } from "./database-secret.js";
import type { Dialect } from "./dialect.js";
import { sqlJobQueries } from "./job-queries.js";
import { sqlLeases } from "./leases.js";
import { PostgresDialect, type PostgresTarget } from "./postgres.js";
import { sqlQualityFrames } from "./quality-frames.js";
import { migrate } from "./schema.js";
import { sqlSegments } from "./segments.js";
import { SqliteDialect } from "./sqlite.js";
import { sqlJobStats } from "./stats.js";
import type { JobStore } from "./store.js";
import { sqlSubmissions } from "./submissions.js";
import { sqlWorkers } from "./workers.js";

/**
 * `sqlite:<path>` (one host), `postgres://...` (several hosts), or RDS with its managed secret
 * (a PostgresTarget); migrated.
 */
export async function openStore(
  database: string | PostgresTarget,
  options: { scheduling?: Scheduling } = {},
): Promise<JobStore> {
  const dialect =
    typeof database === "string" ? await dialectFor(database) : await PostgresDialect.open(database);
  const store = sqlStore(dialect, options.scheduling ?? "fifo");
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

/** The config's database as openStore takes it: the RDS secret becomes a reader of it. */
export function databaseTarget(database: DatabaseConfig): string | PostgresTarget {
  if ("url" in database)
    return database.caFile && !database.url.startsWith("sqlite:")
      ? { url: database.url, caFile: database.caFile }
      : database.url;
  const { secretArn, urlIgnored: _, ...address } = database;
  return { ...address, secret: new DatabaseSecret(secretArn) };
}

/** The store's parts, each its own SQL over the one dialect they share. */
function sqlStore(driver: Dialect, scheduling: Scheduling): JobStore {
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
    ...sqlLeases(db, scheduling),
    ...sqlQualityFrames(db),
    ...sqlApiKeys(db),
    ...sqlWorkers(db),
    ...sqlJobStats(db),
    ...sqlSegments(db),
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

async function dialectFor(databaseUrl: string): Promise<Dialect> {
  if (databaseUrl.startsWith("sqlite:")) {
    const path = databaseUrl.slice("sqlite:".length);
    if (!path) throw new Error("DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/api.db");
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    return new SqliteDialect(path);
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return PostgresDialect.open({ url: databaseUrl });
  throw new Error("DATABASE_URL must start with sqlite: or postgres://");
}
