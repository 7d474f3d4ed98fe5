/**
 * Read models around one issue: the detail view (`GET /issues/:id`: ancestors, project with its
 * workspaces, goal) and the compact bundle an agent reads at the start of a heartbeat
 * (`GET /issues/:id/heartbeat-context`: the same plus a comment cursor and the comment that woke it).
 */
import type { Db } from "../../db/connection.js";
import { commentCursor, getComment, getGoalSummaries, getProjectSummaries, listAncestors, listProjectWorkspaces, type IssueRow } from "../../db/queries/issues.js";
import type { GoalTable, ProjectTable } from "../../db/schema.js";
import type { Selectable } from "kysely";

type Goal = Selectable<GoalTable>;
type Project = Selectable<ProjectTable>;

type Ancestor = Awaited<ReturnType<typeof listAncestors>>[number];

function projectSummary(p: Project | undefined) {
  return p ? { id: p.id, name: p.name, description: p.description, status: p.status, goalId: p.goalId, leadAgentId: p.leadAgentId } : null;
}

function goalSummary(g: Goal | undefined) {
  return g ? { id: g.id, title: g.title, description: g.description, level: g.level, status: g.status, parentId: g.parentId } : null;
}

/** Ancestors (nearest first), each with its project and goal, plus the issue's own project and goal rows. */
async function loadLineage(db: Db, issue: IssueRow) {
  const ancestors = await listAncestors(db, issue.id);
  const projectIds = [...new Set([issue.projectId, ...ancestors.map((a) => a.projectId)].filter((v): v is string => !!v))];
  const goalIds = [...new Set([issue.goalId, ...ancestors.map((a) => a.goalId)].filter((v): v is string => !!v))];
  const [projects, goals] = await Promise.all([getProjectSummaries(db, projectIds), getGoalSummaries(db, goalIds)]);
  const projectById = new Map(projects.map((p) => [p.id, p]));
  const goalById = new Map(goals.map((g) => [g.id, g]));
  const withRefs = (a: Ancestor) => {
    const { depth: _depth, ...rest } = a;
    return { ...rest, project: projectSummary(a.projectId ? projectById.get(a.projectId) : undefined), goal: goalSummary(a.goalId ? goalById.get(a.goalId) : undefined) };
  };
  return {
    ancestors: ancestors.map(withRefs),
    project: issue.projectId ? projectById.get(issue.projectId) : undefined,
    goal: issue.goalId ? goalById.get(issue.goalId) : undefined,
  };
}

export async function issueDetail(db: Db, issue: IssueRow) {
  const lineage = await loadLineage(db, issue);
  const workspaces = lineage.project ? await listProjectWorkspaces(db, lineage.project.id) : [];
  return {
    ...issue,
    ancestors: lineage.ancestors,
    project: lineage.project ? { ...lineage.project, workspaces } : null,
    goal: lineage.goal ?? null,
  };
}

export async function heartbeatContext(db: Db, issue: IssueRow, wakeCommentId: string | undefined) {
  const [lineage, cursor, wakeComment] = await Promise.all([
    loadLineage(db, issue),
    commentCursor(db, issue.id),
    wakeCommentId ? getComment(db, issue.id, wakeCommentId) : Promise.resolve(undefined),
  ]);
  return {
    issue,
    ancestors: lineage.ancestors,
    project: lineage.project ?? null,
    goal: lineage.goal ?? null,
    commentCursor: cursor,
    wakeComment: wakeComment ?? null,
  };
}
