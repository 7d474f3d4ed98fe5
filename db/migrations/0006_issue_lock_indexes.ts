/** 0006: finding the queued runs of an issue when its execution lock is released. */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index heartbeat_runs_queued_issue_idx on heartbeat_runs ((context_snapshot->>'issueId')) where status = 'queued'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists heartbeat_runs_queued_issue_idx`.execute(db);
}
