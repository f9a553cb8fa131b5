// The little a SQL store needs from a driver. Statements use `$1, $2, ...` placeholders in both
// dialects; the SQLite driver rewrites them.

export type Row = Record<string, unknown>;

export interface Sql {
  query<T = Row>(text: string, params?: unknown[]): Promise<T[]>;
  /** Rows changed. */
  run(text: string, params?: unknown[]): Promise<number>;
}

export interface Dialect extends Sql {
  readonly name: "sqlite" | "postgres";
  /** Runs `fn` in one write transaction; rolls back when it throws. */
  transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  /** Appended to the claim's SELECT: row locks that other claimers skip (PostgreSQL). */
  readonly skipLocked: string;
  /** Statement run before an event insert, so event seqs commit in order (PostgreSQL). */
  readonly eventOrderLock: string | null;
  readonly autoIncrement: string;
  close(): Promise<void>;
}
