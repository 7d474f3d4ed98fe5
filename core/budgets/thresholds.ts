/**
 * Crossing a policy's thresholds. Soft (warnPercent of the amount): an advisory incident, once per
 * policy, window and limit. Hard (the amount, when hard stop is on): open soft incidents close, a
 * hard incident opens with a pending `budget_override_required` approval, and the scope is paused
 * in the database; the caller stops its running work in the engine (enforcement.ts).
 *
 * Runs inside the caller's transaction. Cost events of one company are serialised by the update of
 * the company's spend, so two events never open the same incident twice.
 */
import { sql, type Selectable } from "kysely";
import type { Db } from "../../db/connection.js";
import type { BudgetIncidentTable } from "../../db/schema.js";
import { logActivity } from "../activity-log.js";
import { publishLiveEvent } from "../live-events.js";
import { BUDGET_SERVICE_ACTOR, noBudgetEffects, type BudgetEffects } from "./effects.js";
import type { PolicyRow } from "./policies.js";
import { loadScope, pauseScopeForBudget } from "./scope.js";
import { INT4_MAX } from "./spend.js";
import { softThreshold, windowOf } from "./windows.js";

export type IncidentRow = Selectable<BudgetIncidentTable>;
type ThresholdType = "soft" | "hard";

export interface ThresholdContext {
  /** The run whose cost triggered the evaluation, for the activity log. */
  runId?: string | null;
}

export async function applyThresholds(trx: Db, policy: PolicyRow, observed: number, ctx: ThresholdContext = {}): Promise<BudgetEffects> {
  const effects = noBudgetEffects();
  if (!policy.isActive || policy.amount <= 0) return effects;
  const overHard = policy.hardStopEnabled && observed >= policy.amount;
  if (policy.notifyEnabled && !overHard && observed >= softThreshold(policy.amount, policy.warnPercent)) {
    const soft = await openIncidentOnce(trx, policy, "soft", observed);
    if (soft) await logCrossing(trx, policy, soft, "budget.soft_threshold_crossed", ctx);
  }
  if (overHard) {
    await closeOpenIncidents(trx, policy.id, "soft");
    const hard = await openIncidentOnce(trx, policy, "hard", observed);
    if ((await pauseScopeForBudget(trx, policy)) && policy.scopeType === "agent") {
      await publishLiveEvent(trx, policy.companyId, "agent.status", { agentId: policy.scopeId, status: "paused", pauseReason: "budget" });
    }
    if (hard) await logCrossing(trx, policy, hard, "budget.hard_threshold_crossed", ctx);
    // Also when the incident existed: a previous stop may not have reached the engine.
    effects.stop.push({ companyId: policy.companyId, scopeType: policy.scopeType, scopeId: policy.scopeId });
  }
  return effects;
}

/** Opens the incident unless one exists for this policy, window, threshold and limit. */
async function openIncidentOnce(trx: Db, policy: PolicyRow, threshold: ThresholdType, observed: number): Promise<IncidentRow | null> {
  const { start, end } = windowOf(policy.windowKind);
  const existing = await trx
    .selectFrom("budget_incidents")
    .select("id")
    .where("policyId", "=", policy.id)
    .where("windowStart", "=", start)
    .where("thresholdType", "=", threshold)
    .where("amountLimit", "=", policy.amount)
    .executeTakeFirst();
  if (existing) return null;
  let approvalId: string | null = null;
  if (threshold === "hard") {
    const scope = await loadScope(trx, policy.companyId, policy.scopeType, policy.scopeId);
    const approval = await trx
      .insertInto("approvals")
      .values({
        companyId: policy.companyId,
        type: "budget_override_required",
        status: "pending",
        payload: {
          scopeType: policy.scopeType,
          scopeId: policy.scopeId,
          scopeName: scope?.name ?? policy.scopeType,
          metric: policy.metric,
          windowKind: policy.windowKind,
          thresholdType: threshold,
          budgetAmount: policy.amount,
          observedAmount: observed,
          warnPercent: policy.warnPercent,
          windowStart: start.toISOString(),
          windowEnd: end.toISOString(),
          policyId: policy.id,
          guidance: "Raise the budget and resume the scope, or keep the scope paused.",
        },
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    approvalId = approval.id;
  }
  return trx
    .insertInto("budget_incidents")
    .values({
      companyId: policy.companyId,
      policyId: policy.id,
      scopeType: policy.scopeType,
      scopeId: policy.scopeId,
      metric: policy.metric,
      windowKind: policy.windowKind,
      windowStart: start,
      windowEnd: end,
      thresholdType: threshold,
      amountLimit: policy.amount,
      amountObserved: Math.min(observed, INT4_MAX),
      status: "open",
      approvalId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function closeOpenIncidents(trx: Db, policyId: string, threshold?: ThresholdType): Promise<IncidentRow[]> {
  let q = trx
    .updateTable("budget_incidents")
    .set({ status: "resolved", resolvedAt: sql`now()`, updatedAt: sql`now()` })
    .where("policyId", "=", policyId)
    .where("status", "=", "open");
  if (threshold) q = q.where("thresholdType", "=", threshold);
  return q.returningAll().execute();
}

async function logCrossing(trx: Db, policy: PolicyRow, incident: IncidentRow, action: string, ctx: ThresholdContext) {
  await logActivity(trx, {
    companyId: policy.companyId,
    actor: BUDGET_SERVICE_ACTOR,
    action,
    entityType: "budget_incident",
    entityId: incident.id,
    agentId: policy.scopeType === "agent" ? policy.scopeId : null,
    runId: ctx.runId ?? null,
    details: {
      scopeType: policy.scopeType,
      scopeId: policy.scopeId,
      policyId: policy.id,
      amountObserved: incident.amountObserved,
      amountLimit: incident.amountLimit,
      approvalId: incident.approvalId,
    },
  });
}
