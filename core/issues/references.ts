/**
 * What an issue may point at: an assignee, parent, project, goal and labels of its own company, and
 * a parent chain without loops. A reference to another company's row reads as "does not exist here"
 * (422), never as a leak of that row.
 */
import type { Db } from "../../db/connection.js";
import { wouldCreateCycle } from "../../db/queries/issues.js";
import { unprocessable } from "../errors.js";

/** Agents that can hold work: not terminated, not waiting for hire approval. */
const UNASSIGNABLE = new Set(["terminated", "pending_approval"]);

export interface IssueReferences {
  assigneeAgentId?: string | null | undefined;
  parentId?: string | null | undefined;
  projectId?: string | null | undefined;
  goalId?: string | null | undefined;
  labelIds?: string[] | undefined;
}

export async function assertAssignableAgent(db: Db, companyId: string, agentId: string) {
  const agent = await db.selectFrom("agents").select(["id", "name", "status"]).where("id", "=", agentId).where("companyId", "=", companyId).executeTakeFirst();
  if (!agent) throw unprocessable("Assignee agent must be an agent of the same company", { code: "invalid_assignee", agentId });
  if (UNASSIGNABLE.has(agent.status)) {
    throw unprocessable(`Cannot assign work to an agent that is ${agent.status}`, { code: "agent_not_assignable", agentId, status: agent.status });
  }
  return agent;
}

async function existsInCompany(db: Db, table: "issues" | "projects" | "goals", id: string, companyId: string): Promise<boolean> {
  const row = await db.selectFrom(table).select("id").where("id", "=", id).where("companyId", "=", companyId).executeTakeFirst();
  return row !== undefined;
}

/** Checks each given, non-null reference. `issueId` is the issue being edited (null on create). */
export async function assertIssueReferences(db: Db, companyId: string, issueId: string | null, refs: IssueReferences): Promise<void> {
  if (refs.assigneeAgentId) await assertAssignableAgent(db, companyId, refs.assigneeAgentId);
  if (refs.projectId && !(await existsInCompany(db, "projects", refs.projectId, companyId))) {
    throw unprocessable("Project must belong to the same company", { code: "invalid_project", projectId: refs.projectId });
  }
  if (refs.goalId && !(await existsInCompany(db, "goals", refs.goalId, companyId))) {
    throw unprocessable("Goal must belong to the same company", { code: "invalid_goal", goalId: refs.goalId });
  }
  if (refs.parentId) {
    if (!(await existsInCompany(db, "issues", refs.parentId, companyId))) {
      throw unprocessable("Parent issue must belong to the same company", { code: "invalid_parent", parentId: refs.parentId });
    }
    if (issueId && (await wouldCreateCycle(db, issueId, refs.parentId))) {
      throw unprocessable("An issue cannot be its own ancestor", { code: "issue_parent_cycle", parentId: refs.parentId });
    }
  }
  if (refs.labelIds && refs.labelIds.length > 0) {
    const unique = [...new Set(refs.labelIds)];
    const found = await db.selectFrom("labels").select("id").where("id", "in", unique).where("companyId", "=", companyId).execute();
    if (found.length !== unique.length) {
      const known = new Set(found.map((l) => l.id));
      throw unprocessable("Labels must belong to the same company", { code: "invalid_labels", labelIds: unique.filter((id) => !known.has(id)) });
    }
  }
}

/** Replaces the issue's labels (the list is the whole new set). */
export async function replaceLabels(db: Db, companyId: string, issueId: string, labelIds: string[]): Promise<void> {
  await db.deleteFrom("issue_labels").where("issueId", "=", issueId).execute();
  const unique = [...new Set(labelIds)];
  if (unique.length === 0) return;
  await db.insertInto("issue_labels").values(unique.map((labelId) => ({ issueId, labelId, companyId }))).execute();
}
