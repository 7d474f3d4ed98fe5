/**
 * Who may change an issue when the caller is an agent (Paperclip §4.5), and the run that owns a
 * checked-out issue. Called with the issue row locked, inside the mutation's transaction.
 *
 * - unassigned: any agent of the company;
 * - another agent's: only the CEO or a manager above that agent;
 * - its own and in_progress: only from the checkout run. A checkout left by a finished (or missing)
 *   run, or never taken, is adopted by the caller's run — agents never get a 409 from their own
 *   earlier run.
 */
import { sql } from "kysely";
import type { Db } from "../../db/connection.js";
import { activeRunIds } from "../../db/queries/issues.js";
import type { Issue } from "../../db/schema.js";
import { logActivity } from "../activity-log.js";
import { actorRef, type AgentActor } from "../auth/actor.js";
import { conflict, forbidden, unauthorized } from "../errors.js";
import { managerChain } from "../org-chart.js";

export function requireRunId(actor: AgentActor): string {
  if (!actor.runId) throw unauthorized("Agent run id required", { code: "agent_run_id_required" });
  return actor.runId;
}

/** CEO, or anywhere above the assignee in its reporting chain. */
async function managesAgent(db: Db, companyId: string, managerId: string, agentId: string): Promise<boolean> {
  const chain = await managerChain(db, companyId, agentId);
  if (chain.slice(1).some((link) => link.id === managerId)) return true;
  const actor = await db.selectFrom("agents").select("role").where("id", "=", managerId).executeTakeFirst();
  return actor?.role === "ceo";
}

/**
 * The caller's run must own the checkout of its in-progress issue; an unowned or stale checkout is
 * taken over (logged `issue.checkout_lock_adopted`). Returns the issue as it is afterwards.
 */
export async function assertCheckoutOwner(db: Db, actor: AgentActor, issue: Issue): Promise<Issue> {
  const runId = requireRunId(actor);
  if (issue.checkoutRunId === runId) return issue;
  const active = await activeRunIds(db, [issue.checkoutRunId, issue.executionRunId]);
  if (issue.checkoutRunId && active.has(issue.checkoutRunId)) {
    throw conflict("Issue run ownership conflict", {
      code: "issue_run_ownership_conflict",
      issueId: issue.id,
      status: issue.status,
      assigneeAgentId: issue.assigneeAgentId,
      checkoutRunId: issue.checkoutRunId,
      actorRunId: runId,
    });
  }
  // The execution lock moves too unless another live run holds it.
  const takeExecution = !issue.executionRunId || !active.has(issue.executionRunId);
  const adopted = await db
    .updateTable("issues")
    .set({
      checkoutRunId: runId,
      ...(takeExecution ? { executionRunId: runId, executionAgentNameKey: sql`(select lower(name) from agents where id = ${actor.agentId})`, executionLockedAt: sql`now()` } : {}),
      updatedAt: sql`now()`,
    })
    .where("id", "=", issue.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await logActivity(db, {
    companyId: issue.companyId,
    actor: actorRef(actor),
    action: "issue.checkout_lock_adopted",
    entityType: "issue",
    entityId: issue.id,
    details: { identifier: issue.identifier, previousCheckoutRunId: issue.checkoutRunId, reason: issue.checkoutRunId ? "stale_run" : "unowned" },
  });
  return adopted;
}

/** §4.5 for PATCH-like mutations. Board callers pass through. */
export async function assertAgentMayMutateIssue(db: Db, actor: AgentActor, issue: Issue): Promise<Issue> {
  const assignee = issue.assigneeAgentId;
  if (!assignee) return issue;
  if (assignee !== actor.agentId) {
    if (await managesAgent(db, issue.companyId, actor.agentId, assignee)) return issue;
    throw forbidden("Agent cannot mutate another agent's issue", { code: "issue_assigned_to_other_agent", assigneeAgentId: assignee });
  }
  if (issue.status !== "in_progress") return issue;
  return assertCheckoutOwner(db, actor, issue);
}
