/**
 * 0007: every committed change to a company's issues (or their labels) sends NOTIFY
 * `switchboard_issue_changes` with the company id. API processes use it to invalidate their cached
 * issue-list pages. NOTIFY is delivered at commit and takes no row lock, so it adds no lock ordering
 * between issue writes and the other rows a transaction touches; identical payloads in one
 * transaction are folded into one notification by Postgres.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function switchboard_notify_issue_change() returns trigger language plpgsql as $$
    begin
      perform pg_notify('switchboard_issue_changes', coalesce(new.company_id, old.company_id)::text);
      return null;
    end $$`.execute(db);
  await sql`create trigger issues_notify_change after insert or update or delete on issues for each row execute function switchboard_notify_issue_change()`.execute(db);
  await sql`create trigger issue_labels_notify_change after insert or update or delete on issue_labels for each row execute function switchboard_notify_issue_change()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists issue_labels_notify_change on issue_labels`.execute(db);
  await sql`drop trigger if exists issues_notify_change on issues`.execute(db);
  await sql`drop function if exists switchboard_notify_issue_change()`.execute(db);
}
