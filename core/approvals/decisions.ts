/**
 * Status changes of an approval. Each runs in one transaction that locks the approval row, so two
 * boards clicking at once cannot both apply a decision; the activity row commits with it. The
 * consequences outside Postgres (schedule of an activated agent, the requester's wake, the budget
 * hook) run after the commit, when the decision is already visible.
 */
import type { Db } from "../../db/connection.js";
import type { AgentScheduler } from "../../temporal/agent-scheduler.js";
import { logActivity } from "../activity-log.js";
import { syncSchedule } from "../agent-lifecycle.js";
import type { ActorRef } from "../auth/actor.js";
import { onBudgetOverrideDecided } from "../budgets/approval-hooks.js";
import { notFound, unprocessable } from "../errors.js";
import { hasTimer, parseHeartbeatPolicy } from "../heartbeat-policy.js";
import { applyHireDecision, type HireOutcome } from "./hire.js";
import { hiredAgentId, payloadOf, RESOLVABLE_STATUSES, type Approval, type Decision, type DecisionResult } from "./model.js";
import { wakeRequester } from "./requester-wake.js";
import { linkedIssueIds } from "./store.js";

export interface DecisionInput {
  by: ActorRef;
  /** The board user recorded as `decided_by_user_id`. */
  decidedByUserId: string;
  decisionNote: string | null;
}

async function lockApproval(trx: Db, id: string): Promise<Approval> {
  const row = await trx.selectFrom("approvals").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
  if (!row) throw notFound("Approval not found");
  return row;
}

/** Approve or reject. Only from pending / revision_requested; the same decision again is a no-op. */
export async function decideApproval(db: Db, scheduler: AgentScheduler, approvalId: string, decision: Decision, input: DecisionInput): Promise<DecisionResult> {
  const outcome = await db.transaction().execute(async (trx) => {
    const current = await lockApproval(trx, approvalId);
    if (current.status === decision) return { approval: current, applied: false, hire: null, issueIds: [] as string[] };
    if (!RESOLVABLE_STATUSES.includes(current.status)) {
      throw unprocessable(`Only pending or revision requested approvals can be ${decision}`, { code: "approval_not_resolvable", status: current.status });
    }
    const approval = await trx
      .updateTable("approvals")
      .set({ status: decision, decidedByUserId: input.decidedByUserId, decisionNote: input.decisionNote, decidedAt: new Date(), updatedAt: new Date() })
      .where("id", "=", approvalId)
      .returningAll()
      .executeTakeFirstOrThrow();
    const hire = await applyHireDecision(trx, approval, decision, input.decidedByUserId);
    const issueIds = await linkedIssueIds(trx, approvalId);
    await logActivity(trx, {
      companyId: approval.companyId,
      actor: input.by,
      action: `approval.${decision}`,
      entityType: "approval",
      entityId: approval.id,
      details: {
        type: approval.type,
        requestedByAgentId: approval.requestedByAgentId,
        linkedIssueIds: issueIds,
        decisionNote: input.decisionNote,
        ...(hire ? { hire: { agentId: hire.agentId, activated: hire.activated !== null, terminated: hire.terminated, createdFromPayload: hire.createdFromPayload } } : {}),
      },
    });
    return { approval, applied: true, hire, issueIds };
  });
  const { approval, hire, issueIds } = outcome;
  // Also on a repeat: the hook acts only on still-open incidents, so a retry after a failed
  // follow-up converges instead of leaving the budget stopped behind an approved override.
  if (approval.type === "budget_override_required") {
    await onBudgetOverrideDecided(db, scheduler, { approvalId: approval.id, companyId: approval.companyId, decision, payload: payloadOf(approval), actor: input.by, decisionNote: approval.decisionNote });
  }
  if (!outcome.applied) return { approval, applied: false };

  await followUpHire(scheduler, hire);
  // Reject does not wake: the requester learns of it at its next heartbeat.
  if (decision === "approved") await wakeRequester(db, scheduler, approval, issueIds, input.by);
  return { approval, applied: true };
}

async function followUpHire(scheduler: AgentScheduler, hire: HireOutcome | null): Promise<void> {
  if (!hire) return;
  // A timer agent needs its workflow now, not at its first wakeup (same rule as agent create).
  if (hire.activated && hasTimer(parseHeartbeatPolicy(hire.activated.runtimeConfig))) await syncSchedule(scheduler, hire.activated);
  if (hire.terminated && hire.agentId) {
    // A pending agent never had a workflow; this only closes one if something started it anyway.
    await scheduler.terminate(hire.agentId).catch(() => null);
  }
}

/** The board sends a pending approval back to its requester. Only from `pending`. */
export async function requestRevision(db: Db, approvalId: string, input: DecisionInput): Promise<Approval> {
  return db.transaction().execute(async (trx) => {
    const current = await lockApproval(trx, approvalId);
    if (current.status !== "pending") throw unprocessable("Only pending approvals can request revision", { code: "approval_not_pending", status: current.status });
    const approval = await trx
      .updateTable("approvals")
      .set({ status: "revision_requested", decidedByUserId: input.decidedByUserId, decisionNote: input.decisionNote, decidedAt: new Date(), updatedAt: new Date() })
      .where("id", "=", approvalId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await logActivity(trx, { companyId: approval.companyId, actor: input.by, action: "approval.revision_requested", entityType: "approval", entityId: approval.id, details: { type: approval.type, decisionNote: input.decisionNote } });
    return approval;
  });
}

/** Back to `pending`, optionally with a new payload. Only from `revision_requested`. */
export async function resubmitApproval(db: Db, approvalId: string, by: ActorRef, payload: Record<string, unknown> | undefined): Promise<Approval> {
  return db.transaction().execute(async (trx) => {
    const current = await lockApproval(trx, approvalId);
    if (current.status !== "revision_requested") {
      throw unprocessable("Only revision requested approvals can be resubmitted", { code: "approval_not_in_revision", status: current.status });
    }
    // A hire approval stays about the agent it was filed for, whatever the new payload says.
    const agentId = hiredAgentId(current);
    const nextPayload = payload === undefined ? current.payload : agentId ? { ...payload, agentId } : payload;
    const approval = await trx
      .updateTable("approvals")
      .set({ status: "pending", payload: nextPayload as never, decisionNote: null, decidedByUserId: null, decidedAt: null, updatedAt: new Date() })
      .where("id", "=", approvalId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await logActivity(trx, { companyId: approval.companyId, actor: by, action: "approval.resubmitted", entityType: "approval", entityId: approval.id, details: { type: approval.type, payloadChanged: payload !== undefined } });
    return approval;
  });
}
