/** One Kysely instance per process: snake_case in Postgres, camelCase in TypeScript. */
import { CamelCasePlugin, Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Database } from "./schema.js";

// int8 (bigint) columns hold byte and token counts far below 2^53: read them as numbers.
pg.types.setTypeParser(20, (v) => Number(v));

export type Db = Kysely<Database>;

export interface DbOptions {
  /** Upper bound of pooled connections. A 2-core box gains nothing past ~10. */
  maxConnections?: number;
}

export function createDb(databaseUrl: string, opts: DbOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: opts.maxConnections ?? 10,
    // A Postgres restart must not crash the process: idle-client errors are retried by the next query.
    idleTimeoutMillis: 30_000,
  });
  // A checked-out client has no pool listener: without this its 'error' event (Postgres restarted
  // mid-query) would be an uncaught exception. The query itself still fails and is retried.
  pool.on("connect", (client) => client.on("error", () => undefined));
  pool.on("error", () => {
    /* a broken idle connection is dropped by the pool; the next checkout reconnects */
  });
  // Nested keys stay as stored: jsonb holds user data (env var names like API_TOKEN must survive).
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin({ maintainNestedObjectKeys: true })] });
}

/** True when Postgres answers a trivial query within the timeout. */
export async function pingDb(db: Db, timeoutMs = 2000): Promise<boolean> {
  const { sql } = await import("kysely");
  try {
    await Promise.race([
      sql`select 1`.execute(db),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), timeoutMs).unref()),
    ]);
    return true;
  } catch {
    return false;
  }
}
