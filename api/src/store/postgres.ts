import { readFileSync } from "node:fs";
import pg from "pg";
import type { DatabaseSecret } from "./database-secret.js";
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

/** A connection URL (local use), or RDS: address, database and the managed secret; TLS against `caFile`. */
export type PostgresTarget =
  | { url: string; caFile?: string | undefined }
  | { host: string; port: number; database: string; secret: DatabaseSecret; caFile: string };

const INVALID_PASSWORD = "28P01";

// Node's codes for a certificate chain it could not verify, or a name that does not match.
const TLS_VERIFY_CODES = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** The pool's settings: verify-full TLS when a CA is given; the password read per new connection. */
async function poolConfig(target: PostgresTarget, max: number): Promise<pg.PoolConfig> {
  // verify-full: node-postgres passes the host as servername and keeps Node's hostname check.
  const ssl = target.caFile
    ? { ca: readFileSync(target.caFile, "utf8"), rejectUnauthorized: true }
    : undefined;
  if ("url" in target) return { connectionString: target.url, max, types, ssl };
  const { secret } = target;
  const { username } = await secret.credentials();
  return {
    host: target.host,
    port: target.port,
    database: target.database,
    user: username,
    // Called for every new connection, so a rotated password is picked up without a restart.
    password: async () => (await secret.credentials()).password,
    max,
    types,
    ssl,
  };
}

/** Says what a refused certificate means here instead of Node's bare code. */
function explained(error: unknown, caFile: string | undefined): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && TLS_VERIFY_CODES.has(code))
    return new Error(
      `PostgreSQL TLS: the server's certificate was not accepted with the CA bundle ${caFile ?? "(Node's default CAs)"} (${code}: ${(error as Error).message})`,
      { cause: error },
    );
  return error;
}

export class PostgresDialect implements Dialect {
  readonly name = "postgres" as const;
  readonly skipLocked = " FOR UPDATE SKIP LOCKED";
  // Held to commit: event seqs are taken in commit order, so a reader polling `seq > n` misses none.
  readonly eventOrderLock = "SELECT pg_advisory_xact_lock(715001)";
  readonly autoIncrement = "BIGSERIAL PRIMARY KEY";
  private readonly direct: Sql;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly target: PostgresTarget,
  ) {
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    this.pool.on("error", () => undefined);
    this.direct = sqlOf(this.pool);
  }

  static async open(target: PostgresTarget, max = 5): Promise<PostgresDialect> {
    return new PostgresDialect(new pg.Pool(await poolConfig(target, max)), target);
  }

  query<T>(text: string, params?: unknown[]): Promise<T[]> {
    return this.withFreshPassword(() => this.direct.query<T>(text, params));
  }

  run(text: string, params?: unknown[]): Promise<number> {
    return this.withFreshPassword(() => this.direct.run(text, params));
  }

  /**
   * Runs `attempt` once more after the server refused the password (SQLSTATE 28P01): RDS rotated the
   * secret, so it is read again. Only connecting fails that way, so nothing ran twice.
   */
  private async withFreshPassword<T>(attempt: () => Promise<T>): Promise<T> {
    try {
      return await attempt();
    } catch (error) {
      const secret = "secret" in this.target ? this.target.secret : undefined;
      if (!secret || (error as { code?: unknown }).code !== INVALID_PASSWORD)
        throw explained(error, this.target.caFile);
      secret.forget();
      return await attempt().catch((again: unknown) => {
        throw explained(again, this.target.caFile);
      });
    }
  }

  async transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    const client = await this.withFreshPassword(() => this.pool.connect());
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
