/**
 * Ending a budget stop: the board raises the limit and resumes, or keeps the scope paused. Reached
 * from the incident endpoint, from a decision on the `budget_override_required` approval, and from
 * a policy change that lifts the limit above the spend.
 */
import { sql } from "kysely";
import type { Db } from "../../db/connection.js";
import type { ActorRef } from "../auth/actor.js";
import { publishLiveEvent } from "../live-events.js";
import { noBudgetEffects, type BudgetEffects } from "./effects.js";
import type { PolicyRow } from "./policies.js";
import { resumeScopeFromBudget, type ScopeRef } from "./scope.js";
import { closeOpenIncidents, type IncidentRow } from "./thresholds.js";

/**
 * Row locks in the order run finalisation takes them (agent, then company), so a budget change
 * racing a run's cost never deadlocks, and incidents are never opened twice.
 */
export async function lockScopeRows(trx: Db, scope: ScopeRef): Promise<void> {
  if (scope.scopeType === "agent") await trx.selectFrom("agents").select("id").where("id", "=", scope.scopeId).forUpdate().execute();
  await trx.selectFrom("companies").select("id").where("id", "=", scope.companyId).forUpdate().execute();
}

export interface LiftOptions {
  /** Approve the pending approvals of the incidents closed (the board decided by raising the limit). */
  approve: boolean;
  actor: ActorRef;
  note: string | null;
}

/** Lifts a budget pause of the policy's scope and closes its open incidents. Inside a transaction. */
export async function liftBudgetStop(trx: Db, policy: PolicyRow, opts: LiftOptions): Promise<BudgetEffects> {
  const scope: ScopeRef = { companyId: policy.companyId, scopeType: policy.scopeType, scopeId: policy.scopeId };
  const resumed = await resumeScopeFromBudget(trx, scope);
  const closed = await closeOpenIncidents(trx, policy.id);
  if (opts.approve && opts.actor.actorType === "user") {
    await decideApprovals(trx, closed, "approved", opts.actor.actorId, opts.note);
  }
  const effects = noBudgetEffects();
  if (resumed) effects.resume.push(scope);
  if (resumed && scope.scopeType === "agent") await publishLiveEvent(trx, scope.companyId, "agent.status", { agentId: scope.scopeId, status: "idle" });
  return effects;
}

/** Decides the still-open approvals of these incidents (a decision already taken is left alone). */
export async function decideApprovals(trx: Db, incidents: IncidentRow[], status: "approved" | "rejected", userId: string, note: string | null): Promise<void> {
  const ids = incidents.map((i) => i.approvalId).filter((id): id is string => Boolean(id));
  if (ids.length === 0) return;
  await trx
    .updateTable("approvals")
    .set({ status, decidedByUserId: userId, decidedAt: sql`now()`, decisionNote: note, updatedAt: sql`now()` })
    .where("id", "in", ids)
    .where("status", "in", ["pending", "revision_requested"])
    .execute();
}

/** Sets a new limit (active again) and mirrors it onto `budget_monthly_cents` for monthly policies. */
export async function setPolicyAmount(trx: Db, policy: PolicyRow, amount: number, actor: ActorRef): Promise<PolicyRow> {
  const updated = await trx
    .updateTable("budget_policies")
    .set({ amount, isActive: amount > 0, updatedByUserId: actor.actorType === "user" ? actor.actorId : null, updatedAt: sql`now()` })
    .where("id", "=", policy.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await syncMonthlyBudgetColumn(trx, updated);
  return updated;
}

/** `companies/agents.budget_monthly_cents` mirror their calendar-month policy. */
export async function syncMonthlyBudgetColumn(trx: Db, policy: PolicyRow): Promise<void> {
  if (policy.windowKind !== "calendar_month_utc") return;
  if (policy.scopeType === "company") {
    await trx.updateTable("companies").set({ budgetMonthlyCents: policy.amount, updatedAt: sql`now()` }).where("id", "=", policy.scopeId).execute();
  } else if (policy.scopeType === "agent") {
    await trx.updateTable("agents").set({ budgetMonthlyCents: policy.amount, updatedAt: sql`now()` }).where("id", "=", policy.scopeId).execute();
  }
}
