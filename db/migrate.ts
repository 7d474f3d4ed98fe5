import { Migrator } from "kysely";
import type { Db } from "./connection.js";
import { staticMigrationProvider } from "./migrations/index.js";

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  // Unordered: migrations written in parallel branches get numbers out of landing order.
  const migrator = new Migrator({ db, provider: staticMigrationProvider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    const reason = error instanceof Error ? error.message : String(error ?? "unknown error");
    throw new Error(`Migration ${failed?.migrationName ?? "?"} failed: ${reason}`);
  }
  return (results ?? []).map((r) => r.migrationName);
}
