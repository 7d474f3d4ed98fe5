/**
 * What approving or rejecting a `budget_override_required` approval does to the budget it is about.
 * Called by the approvals routes; owned by the budgets code.
 *
 * Approved: the same as "raise budget and resume" on its incident. The approval carries no amount of
 * its own, so the limit becomes `payload.approvedAmount` when the approver set one above the spend,
 * otherwise the spend so far plus one more budget's worth. Rejected: "keep paused" (the incident is
 * dismissed, the scope stays paused).
 */
import { sql } from "kysely";
import type { Db } from "../../db/connection.js";
import type { AgentScheduler } from "../../temporal/agent-scheduler.js";
import { logActivity } from "../activity-log.js";
import type { ActorRef } from "../auth/actor.js";
import { applyBudgetEffects, mergeBudgetEffects, noBudgetEffects, type BudgetEffects } from "./enforcement.js";
import { INT4_MAX, observedSpend } from "./spend.js";
import { liftBudgetStop, lockScopeRows, setPolicyAmount } from "./resolution.js";
import { applyThresholds } from "./thresholds.js";

export interface BudgetOverrideDecision {
  approvalId: string;
  companyId: string;
  decision: "approved" | "rejected";
  payload: Record<string, unknown>;
  actor: ActorRef;
  decisionNote: string | null;
}

export async function onBudgetOverrideDecided(db: Db, scheduler: AgentScheduler, decision: BudgetOverrideDecision): Promise<void> {
  // The approvals code may call this inside its own transaction or after it.
  const effects = db.isTransaction ? await applyDecision(db, decision) : await db.transaction().execute((trx) => applyDecision(trx, decision));
  // The decision is recorded either way; a scheduler outage must not undo it. The database state is
  // the gate, and POST /agents/:id/resume re-sends a missed resume.
  await applyBudgetEffects(db, scheduler, effects);
}

async function applyDecision(trx: Db, decision: BudgetOverrideDecision): Promise<BudgetEffects> {
  const effects = noBudgetEffects();
  const incidents = await trx
    .selectFrom("budget_incidents")
    .selectAll()
    .where("approvalId", "=", decision.approvalId)
    .where("companyId", "=", decision.companyId)
    .where("status", "=", "open")
    .execute();
  for (const incident of incidents) {
    await lockScopeRows(trx, incident);
    const policy = await trx.selectFrom("budget_policies").selectAll().where("id", "=", incident.policyId).executeTakeFirstOrThrow();
    let newAmount: number | null = null;
    if (decision.decision === "approved") {
      const observed = await observedSpend(trx, policy);
      const asked = decision.payload.approvedAmount;
      newAmount = Math.min(INT4_MAX, typeof asked === "number" && Number.isInteger(asked) && asked > observed ? asked : observed + Math.max(policy.amount, 1));
      const raised = await setPolicyAmount(trx, policy, newAmount, decision.actor);
      // The approval itself was decided by the caller: only the incidents and the scope change here.
      mergeBudgetEffects(effects, await liftBudgetStop(trx, raised, { approve: false, actor: decision.actor, note: decision.decisionNote }));
      await applyThresholds(trx, raised, observed);
    } else {
      await trx.updateTable("budget_incidents").set({ status: "dismissed", resolvedAt: sql`now()`, updatedAt: sql`now()` }).where("id", "=", incident.id).execute();
    }
    await logActivity(trx, {
      companyId: decision.companyId,
      actor: decision.actor,
      action: "budget.incident_resolved",
      entityType: "budget_incident",
      entityId: incident.id,
      agentId: incident.scopeType === "agent" ? incident.scopeId : null,
      details: {
        action: decision.decision === "approved" ? "raise_budget_and_resume" : "keep_paused",
        via: "approval",
        approvalId: decision.approvalId,
        amount: newAmount,
        policyId: policy.id,
        scopeType: incident.scopeType,
        scopeId: incident.scopeId,
      },
    });
  }
  return effects;
}
