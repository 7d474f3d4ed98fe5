/**
 * Issue reads and the identifier counter. Every list is one indexed query (migration 0002): the hot
 * agent paths (inbox, list) must stay fast with tens of thousands of issues in a company.
 */
import { sql, type RawBuilder, type SqlBool } from "kysely";
import type { Db } from "../connection.js";
import type { IssueStatus } from "../schema.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IDENTIFIER = /^[A-Za-z]+-\d+$/;

/** The issue's label ids, as an array column of the row (one index probe per row). */
const labelIdsColumn = sql<string[]>`coalesce((select array_agg(il.label_id order by il.created_at) from issue_labels il where il.issue_id = issues.id), '{}')`;

export function getIssue(db: Db, id: string) {
  return db.selectFrom("issues").selectAll("issues").select(labelIdsColumn.as("labelIds")).where("id", "=", id).executeTakeFirst();
}

export type IssueRow = NonNullable<Awaited<ReturnType<typeof getIssue>>>;

/** `:id` in issue routes: a uuid or an identifier such as `abc-12` (case-insensitive). */
export async function findIssueByRef(db: Db, ref: string): Promise<IssueRow | undefined> {
  if (UUID.test(ref)) return getIssue(db, ref);
  if (!IDENTIFIER.test(ref)) return undefined;
  return db.selectFrom("issues").selectAll("issues").select(labelIdsColumn.as("labelIds")).where("identifier", "=", ref.toUpperCase()).executeTakeFirst();
}

/**
 * The row, locked for the rest of the transaction (every read-modify-write of an issue goes through
 * it). NO KEY UPDATE: creating a child that points at this issue is not held up by the lock.
 */
export function lockIssue(db: Db, id: string) {
  return db.selectFrom("issues").selectAll().where("id", "=", id).forNoKeyUpdate().executeTakeFirst();
}

/**
 * Paperclip's self-healing counter: `greatest(issue_counter, max(issue_number)) + 1`. The UPDATE
 * locks the company row, so concurrent creates in one company take numbers one after another.
 */
export async function allocateIssueNumber(db: Db, companyId: string): Promise<{ issueNumber: number; identifier: string } | undefined> {
  const row = await db
    .updateTable("companies")
    .set({
      issueCounter: sql`greatest(issue_counter, (select coalesce(max(issue_number), 0) from issues where company_id = ${companyId})) + 1`,
      updatedAt: sql`now()`,
    })
    .where("id", "=", companyId)
    .returning(["issueCounter", "issuePrefix"])
    .executeTakeFirst();
  return row && { issueNumber: row.issueCounter, identifier: `${row.issuePrefix}-${row.issueCounter}` };
}

/**
 * Planner statistics for `issues` as a company grows: at its 256th, 512th, 1024th … issue, ANALYZE
 * (a few ms, blocks nobody). Without statistics — autovacuum off, or a burst of creates inside its
 * one-minute naptime — Postgres takes a freshly filled company for a handful of rows and sorts all
 * of them for every page: 20 ms instead of 1. Sent after the commit; a failure only costs speed.
 */
export function refreshStatsOnGrowth(db: Db, issueNumber: number): void {
  if (issueNumber < 256 || (issueNumber & (issueNumber - 1)) !== 0) return;
  void sql`analyze issues`.execute(db).catch(() => undefined);
}

export const ISSUE_SORT_FIELDS = ["updatedAt", "createdAt", "priority", "status", "identifier"] as const;
export type IssueSortField = (typeof ISSUE_SORT_FIELDS)[number];

export interface IssueListFilters {
  statuses?: IssueStatus[] | undefined;
  assigneeAgentId?: string | undefined;
  assigneeUserId?: string | undefined;
  projectId?: string | undefined;
  parentId?: string | undefined;
  goalId?: string | undefined;
  q?: string | undefined;
  updatedSince?: Date | undefined;
  limit: number;
  offset: number;
  sortField: IssueSortField;
  sortDir: "asc" | "desc";
}

/** Sort ranks; migration 0002 indexes these exact expressions (keep them in step). */
const PRIORITY_RANK = sql<number>`(case issues.priority when 'critical' then 0 when 'high' then 1 when 'medium' then 2 else 3 end)`;
const STATUS_RANK = sql<number>`(case issues.status when 'backlog' then 0 when 'todo' then 1 when 'in_progress' then 2 when 'in_review' then 3 when 'blocked' then 4 when 'done' then 5 else 6 end)`;

/** `%`, `_` and `\` are literal in a search box, not patterns. */
function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** to_char format of a JS Date's JSON form. */
const ISO_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * Every issue column under its API name, for rows Postgres renders as JSON itself (the list and the
 * inbox). Timestamps are formatted exactly as a JS Date serialises (`2026-01-02T03:04:05.678Z`, ms
 * truncated like the pg driver's parse), so a listed row reads the same as `GET /issues/:id`.
 */
const LIST_COLUMNS = sql.raw(
  (
    [
      ["id", "id"], ["company_id", "companyId"], ["project_id", "projectId"], ["project_workspace_id", "projectWorkspaceId"], ["goal_id", "goalId"],
      ["parent_id", "parentId"], ["title", "title"], ["description", "description"], ["status", "status"], ["priority", "priority"],
      ["assignee_agent_id", "assigneeAgentId"], ["assignee_user_id", "assigneeUserId"], ["checkout_run_id", "checkoutRunId"],
      ["execution_run_id", "executionRunId"], ["execution_agent_name_key", "executionAgentNameKey"], ["execution_locked_at", "executionLockedAt", "ts"],
      ["created_by_agent_id", "createdByAgentId"], ["created_by_user_id", "createdByUserId"], ["issue_number", "issueNumber"], ["identifier", "identifier"],
      ["origin_kind", "originKind"], ["origin_id", "originId"], ["origin_run_id", "originRunId"], ["request_depth", "requestDepth"],
      ["billing_code", "billingCode"], ["assignee_adapter_overrides", "assigneeAdapterOverrides"], ["execution_workspace_id", "executionWorkspaceId"],
      ["execution_workspace_preference", "executionWorkspacePreference"], ["execution_workspace_settings", "executionWorkspaceSettings"],
      ["started_at", "startedAt", "ts"], ["completed_at", "completedAt", "ts"], ["cancelled_at", "cancelledAt", "ts"], ["hidden_at", "hiddenAt", "ts"],
      ["created_at", "createdAt", "ts"], ["updated_at", "updatedAt", "ts"],
    ] as Array<[string, string, "ts"?]>
  )
    .map(([column, alias, kind]) =>
      kind === "ts" ? `to_char(issues.${column} at time zone 'UTC', ${ISO_UTC}) as "${alias}"` : `issues.${column} as "${alias}"`,
    )
    .concat(`coalesce((select json_agg(il.label_id order by il.created_at) from issue_labels il where il.issue_id = issues.id), '[]'::json) as "labelIds"`)
    .join(", "),
);

const SORT_EXPRESSIONS: Record<IssueSortField, RawBuilder<unknown>> = {
  updatedAt: sql`issues.updated_at`,
  createdAt: sql`issues.created_at`,
  priority: PRIORITY_RANK,
  status: STATUS_RANK,
  identifier: sql`issues.issue_number`,
};

/** The list as one statement (exported unexecuted so tests can EXPLAIN it). */
export function issueListSql(companyId: string, f: IssueListFilters): RawBuilder<Record<string, unknown>> {
  const where: RawBuilder<unknown>[] = [sql`issues.company_id = ${companyId}`, sql`issues.hidden_at is null`];
  if (f.statuses && f.statuses.length > 0) where.push(sql`issues.status in (${sql.join(f.statuses)})`);
  if (f.assigneeAgentId) where.push(sql`issues.assignee_agent_id = ${f.assigneeAgentId}`);
  if (f.assigneeUserId) where.push(sql`issues.assignee_user_id = ${f.assigneeUserId}`);
  if (f.projectId) where.push(sql`issues.project_id = ${f.projectId}`);
  if (f.parentId) where.push(sql`issues.parent_id = ${f.parentId}`);
  if (f.goalId) where.push(sql`issues.goal_id = ${f.goalId}`);
  if (f.updatedSince) where.push(sql`issues.updated_at >= ${f.updatedSince}`);
  if (f.q) {
    const pattern = likePattern(f.q);
    where.push(sql`(issues.title ilike ${pattern} or issues.identifier ilike ${pattern})`);
  }
  const dir = sql.raw(f.sortDir === "asc" ? "asc" : "desc");
  // The id tie-breaker keeps pages stable when many rows share a sort value (offset paging). Every
  // order has an index (migration 0002), so Postgres reads and formats just the page.
  return sql<Record<string, unknown>>`
    select ${LIST_COLUMNS} from issues
     where ${sql.join(where, sql` and `)}
     order by ${SORT_EXPRESSIONS[f.sortField]} ${dir}, issues.id ${dir}
     limit ${f.limit} offset ${f.offset}`;
}

/**
 * The page as one JSON array text, built by Postgres: Node only forwards it. A full page is about
 * half a megabyte, and parsing it into objects and serialising it again would keep the single API
 * thread busy for milliseconds per request; Postgres builds it on its own cores. (The aggregate
 * takes the rows in the subquery's order.)
 */
export async function listIssuesJson(db: Db, companyId: string, f: IssueListFilters): Promise<string> {
  const { rows } = await sql<{ json: string }>`select coalesce(json_agg(page), '[]')::text as json from (${issueListSql(companyId, f)}) page`.execute(db.withoutPlugins());
  return rows[0]?.json ?? "[]";
}

/** Parent, grandparent, … (nearest first), bounded so a corrupt chain cannot loop. */
export async function listAncestors(db: Db, issueId: string) {
  const { rows } = await sql<{
    id: string;
    identifier: string | null;
    title: string;
    description: string | null;
    status: IssueStatus;
    priority: string;
    assigneeAgentId: string | null;
    assigneeUserId: string | null;
    projectId: string | null;
    goalId: string | null;
    parentId: string | null;
    depth: number;
  }>`
    with recursive chain as (
      select p.*, 1 as depth from issues c join issues p on p.id = c.parent_id where c.id = ${issueId}
      union all
      select p.*, chain.depth + 1 from chain join issues p on p.id = chain.parent_id where chain.depth < 100
    )
    select id, identifier, title, description, status, priority, assignee_agent_id as "assigneeAgentId",
           assignee_user_id as "assigneeUserId", project_id as "projectId", goal_id as "goalId",
           parent_id as "parentId", depth
      from chain order by depth`.execute(db);
  return rows;
}

/** True when making `newParentId` the parent of `issueId` would close a loop (itself, or one of its descendants). */
export async function wouldCreateCycle(db: Db, issueId: string, newParentId: string): Promise<boolean> {
  if (issueId === newParentId) return true;
  const ancestors = await listAncestors(db, newParentId);
  return ancestors.some((a) => a.id === issueId);
}

export function getProjectSummaries(db: Db, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom("projects").selectAll().where("id", "in", ids).execute();
}

export function getGoalSummaries(db: Db, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom("goals").selectAll().where("id", "in", ids).execute();
}

export function listProjectWorkspaces(db: Db, projectId: string) {
  return db.selectFrom("project_workspaces").selectAll().where("projectId", "=", projectId).orderBy("isPrimary", "desc").orderBy("createdAt").execute();
}

/** Which of these runs are still active (queued or running); a lock held by any other is stale and may be adopted. */
export async function activeRunIds(db: Db, runIds: Array<string | null | undefined>): Promise<Set<string>> {
  const ids = [...new Set(runIds.filter((r): r is string => typeof r === "string"))];
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom("heartbeat_runs").select("id").where("id", "in", ids).where("status", "in", ["queued", "running"]).execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * For an inbox: the issues assigned to an agent that still need work, in progress first, with the
 * run holding each one's execution lock (a lock left by a finished run is no active run). Rows come
 * out in API shape, like the list, because agents poll this at every heartbeat.
 */
export function inboxSql(companyId: string, agentId: string, limit = 500): RawBuilder<Record<string, unknown>> {
  return sql<Record<string, unknown>>`
    select i.id, i.identifier, i.title, i.status, i.priority, i.project_id as "projectId", i.goal_id as "goalId",
           i.parent_id as "parentId", to_char(i.updated_at at time zone 'UTC', ${sql.raw(ISO_UTC)}) as "updatedAt",
           case when run.id is null then null else json_build_object('id', run.id, 'status', run.status) end as "activeRun"
      from issues i
      left join heartbeat_runs run on run.id = i.execution_run_id and run.status in ('queued', 'running')
     where i.company_id = ${companyId} and i.assignee_agent_id = ${agentId}
       and i.status in ('todo', 'in_progress', 'blocked') and i.hidden_at is null
     order by case i.status when 'in_progress' then 0 when 'todo' then 1 else 2 end,
              case i.priority when 'critical' then 0 when 'high' then 1 when 'medium' then 2 else 3 end,
              i.updated_at desc, i.id
     limit ${limit}`;
}

export async function listInbox(db: Db, companyId: string, agentId: string): Promise<Record<string, unknown>[]> {
  const { rows } = await inboxSql(companyId, agentId).execute(db.withoutPlugins());
  return rows;
}

// ------------------------------------------------------------------ comments

export function getComment(db: Db, issueId: string, commentId: string) {
  return db.selectFrom("issue_comments").selectAll().where("id", "=", commentId).where("issueId", "=", issueId).executeTakeFirst();
}

/** `afterId` must be a comment of the issue; compared in SQL because timestamps carry microseconds. */
export async function listComments(db: Db, issueId: string, opts: { afterId?: string | undefined; order: "asc" | "desc"; limit: number }) {
  let q = db.selectFrom("issue_comments").selectAll().where("issueId", "=", issueId);
  if (opts.afterId) q = q.where(sql<SqlBool>`(created_at, id) > (select a.created_at, a.id from issue_comments a where a.id = ${opts.afterId})`);
  return q.orderBy("createdAt", opts.order).orderBy("id", opts.order).limit(opts.limit).execute();
}

export async function commentCursor(db: Db, issueId: string) {
  const [count, latest] = await Promise.all([
    db.selectFrom("issue_comments").select(sql<number>`count(*)::int`.as("n")).where("issueId", "=", issueId).executeTakeFirstOrThrow(),
    db.selectFrom("issue_comments").select(["id", "createdAt"]).where("issueId", "=", issueId).orderBy("createdAt", "desc").orderBy("id", "desc").limit(1).executeTakeFirst(),
  ]);
  return { totalComments: count.n, latestCommentId: latest?.id ?? null, latestCommentAt: latest?.createdAt ?? null };
}
