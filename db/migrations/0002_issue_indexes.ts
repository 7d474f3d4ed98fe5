/**
 * 0002: indexes for the issue list (default sort by recency, filters by project, goal and user
 * assignee, title / identifier search), identifier lookups without a company
 * (`GET /api/issues/ABC-12`) and comment paging.
 */
import { type Kysely, sql } from "kysely";

// Copied, not imported: a migration must not change when application code does.
const PRIORITY_RANK_SQL = "case priority when 'critical' then 0 when 'high' then 1 when 'medium' then 2 else 3 end";
const STATUS_RANK_SQL =
  "case status when 'backlog' then 0 when 'todo' then 1 when 'in_progress' then 2 when 'in_review' then 3 when 'blocked' then 4 when 'done' then 5 else 6 end";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index issues_company_updated_idx on issues (company_id, updated_at desc, id desc)`.execute(db);
  await sql`create index issues_company_created_idx on issues (company_id, created_at desc, id desc)`.execute(db);
  // The other sort orders of the list, so every order is an index walk that stops at the page.
  // The expressions must stay identical to PRIORITY_RANK / STATUS_RANK in db/queries/issues.ts.
  await sql`create index issues_company_priority_idx on issues (company_id, (${sql.raw(PRIORITY_RANK_SQL)}), id)`.execute(db);
  await sql`create index issues_company_status_rank_idx on issues (company_id, (${sql.raw(STATUS_RANK_SQL)}), id)`.execute(db);
  await sql`create index issues_company_project_idx on issues (company_id, project_id)`.execute(db);
  await sql`create index issues_company_goal_idx on issues (company_id, goal_id)`.execute(db);
  await sql`create index issues_company_assignee_user_status_idx on issues (company_id, assignee_user_id, status)`.execute(db);
  // Prefixes are unique across companies, so an identifier alone names one issue.
  await sql`create index issues_identifier_lookup_idx on issues (identifier)`.execute(db);
  await sql`create index issue_comments_issue_created_id_idx on issue_comments (issue_id, created_at, id)`.execute(db);
  // `?q=` is an ILIKE '%…%' search: trigram indexes serve it when pg_trgm can be installed (it is a
  // trusted extension, but a locked-down server may refuse it; the search then scans, still correct).
  await sql`
    do $$
    begin
      create extension if not exists pg_trgm;
      create index issues_title_trgm_idx on issues using gin (title gin_trgm_ops);
      create index issues_identifier_trgm_idx on issues using gin (identifier gin_trgm_ops);
    exception when others then
      raise notice 'pg_trgm unavailable (%): issue search will scan', sqlerrm;
    end
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of [
    "issues_identifier_trgm_idx",
    "issues_title_trgm_idx",
    "issue_comments_issue_created_id_idx",
    "issues_company_status_rank_idx",
    "issues_company_priority_idx",
    "issues_identifier_lookup_idx",
    "issues_company_assignee_user_status_idx",
    "issues_company_goal_idx",
    "issues_company_project_idx",
    "issues_company_created_idx",
    "issues_company_updated_idx",
  ]) {
    await sql`drop index if exists ${sql.id(name)}`.execute(db);
  }
}
