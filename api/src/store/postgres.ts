import pg from "pg";
import type { Dialect, Sql } from "./dialect.js";

// PostgreSQL for several hosts (RDS on AWS). BIGINT columns come back as numbers: every value we
// keep there (milliseconds, counters) fits in a double.

const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === 20
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

function sqlOf(client: pg.Pool | pg.PoolClient): Sql {
  return {
    async query<T>(text: string, params: unknown[] = []) {
      return (await client.query(text, params)).rows as T[];
    },
    async run(text: string, params: unknown[] = []) {
      return (await client.query(text, params)).rowCount ?? 0;
    },
  };
}

export class PostgresDialect implements Dialect {
  readonly name = "postgres" as const;
  readonly skipLocked = " FOR UPDATE SKIP LOCKED";
  // Held to commit: event seqs are taken in commit order, so a reader polling `seq > n` misses none.
  readonly eventOrderLock = "SELECT pg_advisory_xact_lock(715001)";
  readonly autoIncrement = "BIGSERIAL PRIMARY KEY";
  private readonly pool: pg.Pool;
  private readonly direct: Sql;

  constructor(connectionString: string, max = 5) {
    this.pool = new pg.Pool({ connectionString, max, types });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    this.pool.on("error", () => undefined);
    this.direct = sqlOf(this.pool);
  }

  query<T>(text: string, params?: unknown[]): Promise<T[]> {
    return this.direct.query<T>(text, params);
  }

  run(text: string, params?: unknown[]): Promise<number> {
    return this.direct.run(text, params);
  }

  async transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await fn(sqlOf(client));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
