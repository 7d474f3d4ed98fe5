/**
 * Checkout and release (Paperclip §4.4).
 *
 * Checkout is one conditional UPDATE: the issue is in an expected status, unassigned or assigned to
 * the caller with no other checkout run, and no other run holds its execution lock. Under
 * concurrency exactly one caller matches; the others fall through to the fallbacks, which run with
 * the row locked: adopt the caller's own unowned or stale (finished / missing run) checkout, adopt
 * a stale execution lock, return the issue unchanged when this run already owns it — else 409.
 */
import { sql } from "kysely";
import type { Db } from "../../db/connection.js";
import { activeRunIds, getIssue, lockIssue, type IssueRow } from "../../db/queries/issues.js";
import type { Issue, IssueStatus } from "../../db/schema.js";
import { logActivity } from "../activity-log.js";
import { actorRef, type Actor } from "../auth/actor.js";
import { conflict, forbidden, notFound } from "../errors.js";
import { requireRunId } from "./ownership.js";
import { assertAssignableAgent } from "./references.js";
import { CLEARED_LOCKS, executionNameKey } from "./rules.js";
import { assignmentWake, type IssueWake } from "./wakes.js";

export interface CheckoutInput {
  agentId: string;
  expectedStatuses: IssueStatus[];
}

export interface CheckoutResult {
  issue: IssueRow;
  changed: boolean;
  wakes: IssueWake[];
}

function checkoutConflict(issue: Issue) {
  return conflict("Issue checkout conflict", {
    code: "issue_checkout_conflict",
    issueId: issue.id,
    status: issue.status,
    assigneeAgentId: issue.assigneeAgentId,
    checkoutRunId: issue.checkoutRunId,
    executionRunId: issue.executionRunId,
  });
}

/** The columns a successful checkout writes. Board checkouts (run null) hold no execution lock. */
function checkoutSet(agentId: string, agentName: string, runId: string | null) {
  return {
    assigneeAgentId: agentId,
    assigneeUserId: null,
    checkoutRunId: runId,
    executionRunId: runId,
    executionAgentNameKey: runId ? executionNameKey(agentName) : null,
    executionLockedAt: runId ? sql<Date>`now()` : null,
    status: "in_progress" as const,
    startedAt: sql<Date>`case when status = 'in_progress' then coalesce(started_at, now()) else now() end`,
    completedAt: null,
    cancelledAt: null,
    updatedAt: sql<Date>`now()`,
  };
}

export async function checkoutIssue(db: Db, actor: Actor, issueId: string, input: CheckoutInput): Promise<CheckoutResult> {
  let runId: string | null = null;
  if (actor.type === "agent") {
    if (actor.agentId !== input.agentId) throw forbidden("Agent can only checkout as itself", { code: "checkout_as_other_agent" });
    runId = requireRunId(actor);
  }
  const { issue, changed } = await db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom("issues").select("companyId").where("id", "=", issueId).executeTakeFirst();
    if (!before) throw notFound("Issue not found");
    const agent = await assertAssignableAgent(trx, before.companyId, input.agentId);
    const set = checkoutSet(agent.id, agent.name, runId);
    const logCheckout = (issue: IssueRow, adoptedFromRunId: string | null) =>
      logActivity(trx, {
        companyId: issue.companyId,
        actor: actorRef(actor),
        action: "issue.checked_out",
        entityType: "issue",
        entityId: issue.id,
        details: { identifier: issue.identifier, agentId: agent.id, checkoutRunId: runId, expectedStatuses: input.expectedStatuses, ...(adoptedFromRunId ? { adoptedFromRunId } : {}) },
      });

    const claimed = await trx
      .updateTable("issues")
      .set(set)
      .where("id", "=", issueId)
      .where("status", "in", input.expectedStatuses)
      .where((eb) =>
        eb.or([
          eb("assigneeAgentId", "is", null),
          eb.and([eb("assigneeAgentId", "=", agent.id), eb.or([eb("checkoutRunId", "is", null), ...(runId ? [eb("checkoutRunId", "=", runId)] : [])])]),
        ]),
      )
      .where((eb) => eb.or([eb("executionRunId", "is", null), ...(runId ? [eb("executionRunId", "=", runId)] : [])]))
      .returning("id")
      .executeTakeFirst();
    if (claimed) {
      const issue = await mustGet(trx, issueId);
      await logCheckout(issue, null);
      return { issue, changed: true };
    }

    // Fallbacks, with the row locked so they cannot race each other.
    const row = await lockIssue(trx, issueId);
    if (!row) throw notFound("Issue not found");
    const sameAgent = row.assigneeAgentId === agent.id;
    if (sameAgent && row.status === "in_progress" && runId && row.checkoutRunId === runId) {
      return { issue: await mustGet(trx, issueId), changed: false };
    }
    const active = await activeRunIds(trx, [row.checkoutRunId, row.executionRunId]);
    const checkoutFree = !row.checkoutRunId || row.checkoutRunId === runId || !active.has(row.checkoutRunId);
    const executionFree = !row.executionRunId || row.executionRunId === runId || !active.has(row.executionRunId);
    const adoptOwn = sameAgent && row.status === "in_progress" && checkoutFree && executionFree;
    const adoptStaleExecution = input.expectedStatuses.includes(row.status) && (!row.assigneeAgentId || (sameAgent && checkoutFree)) && executionFree;
    if (!adoptOwn && !adoptStaleExecution) throw checkoutConflict(row);
    await trx.updateTable("issues").set(set).where("id", "=", issueId).execute();
    const issue = await mustGet(trx, issueId);
    await logCheckout(issue, row.checkoutRunId ?? row.executionRunId);
    return { issue, changed: true };
  });

  // The board checking out for an agent hands it the work: wake it. An agent checking out for
  // itself is already running.
  const wakes = changed && actor.type === "board" ? [assignmentWake(input.agentId, issue.id, "issue_checked_out", "checkout")] : [];
  return { issue, changed, wakes };
}

async function mustGet(db: Db, issueId: string): Promise<IssueRow> {
  const issue = await getIssue(db, issueId);
  if (!issue) throw notFound("Issue not found");
  return issue;
}

/**
 * Release: the assignee (from its checkout run, unless that run is over) or the board gives the
 * issue up — assignee cleared, locks cleared, in_progress back to todo.
 */
export async function releaseIssue(db: Db, actor: Actor, issueId: string): Promise<IssueRow> {
  return db.transaction().execute(async (trx) => {
    const row = await lockIssue(trx, issueId);
    if (!row) throw notFound("Issue not found");
    if (actor.type === "agent") {
      if (row.assigneeAgentId !== actor.agentId) throw conflict("Only assignee can release issue", { code: "release_not_assignee", assigneeAgentId: row.assigneeAgentId });
      const runId = requireRunId(actor);
      if (row.checkoutRunId && row.checkoutRunId !== runId && (await activeRunIds(trx, [row.checkoutRunId])).has(row.checkoutRunId)) {
        throw conflict("Only checkout run can release issue", { code: "release_not_checkout_run", checkoutRunId: row.checkoutRunId, actorRunId: runId });
      }
    }
    await trx
      .updateTable("issues")
      .set({ assigneeAgentId: null, ...CLEARED_LOCKS, status: row.status === "in_progress" ? "todo" : row.status, updatedAt: sql`now()` })
      .where("id", "=", issueId)
      .execute();
    await logActivity(trx, {
      companyId: row.companyId,
      actor: actorRef(actor),
      action: "issue.released",
      entityType: "issue",
      entityId: row.id,
      details: { identifier: row.identifier, previousAssigneeAgentId: row.assigneeAgentId, previousStatus: row.status },
    });
    return mustGet(trx, issueId);
  });
}
