import Database from "better-sqlite3";
import type { Dialect, Sql } from "./dialect.js";

// SQLite for one host and several processes: WAL so readers never block the writer, a busy timeout
// so writers queue instead of failing, BEGIN IMMEDIATE so a transaction holds the write lock from
// its start (no upgrade deadlocks between processes).

type Params = Record<string, unknown>;

function rewrite(text: string, params: unknown[]): { text: string; named: Params } {
  const named: Params = {};
  const out = text.replace(/\$(\d+)/g, (_, n: string) => {
    const value = params[Number(n) - 1];
    named[`p${n}`] = typeof value === "boolean" ? Number(value) : (value ?? null);
    return `@p${n}`;
  });
  return { text: out, named };
}

/** One connection per process; a promise chain keeps this process's statements from interleaving. */
export class SqliteDialect implements Dialect {
  readonly name = "sqlite" as const;
  readonly skipLocked = "";
  readonly eventOrderLock = null;
  readonly autoIncrement = "INTEGER PRIMARY KEY AUTOINCREMENT";
  private readonly db: Database.Database;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly direct: Sql;

  constructor(path: string, busyTimeoutMs = 10_000) {
    this.db = new Database(path, { timeout: busyTimeoutMs });
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("foreign_keys = ON");
    this.direct = {
      query: async <T>(text: string, params: unknown[] = []) => this.execute(text, params) as T[],
      run: async (text: string, params: unknown[] = []) => this.execute(text, params, true) as number,
    };
  }

  private execute(text: string, params: unknown[], changes = false): unknown {
    const { text: sql, named } = rewrite(text, params);
    const statement = this.db.prepare(sql);
    if (statement.reader) {
      const rows = statement.all(named);
      return changes ? rows.length : rows;
    }
    const info = statement.run(named);
    return changes ? info.changes : [];
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.chain.then(fn, fn);
    this.chain = result.catch(() => undefined);
    return result;
  }

  query<T>(text: string, params: unknown[] = []): Promise<T[]> {
    return this.serialized(() => this.direct.query<T>(text, params));
  }

  run(text: string, params: unknown[] = []): Promise<number> {
    return this.serialized(() => this.direct.run(text, params));
  }

  transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.serialized(async () => {
      this.db.exec("BEGIN IMMEDIATE");
      try {
        const result = await fn(this.direct);
        this.db.exec("COMMIT");
        return result;
      } catch (error) {
        // A failed write (disk I/O, full disk) can end the transaction itself; a second ROLLBACK
        // would then throw and hide the error that matters.
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    await this.chain;
    this.db.close();
  }
}
