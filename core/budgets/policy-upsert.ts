/**
 * Creating or changing a budget policy (the policies endpoint, and the monthly budget PATCHes that
 * write `*.budget_monthly_cents`). A new amount takes effect at once: above what was already spent it
 * lifts a budget pause and closes the policy's incidents (approving their pending approvals); at or
 * below it crosses the thresholds right away. Amount 0 turns the policy off.
 */
import { sql } from "kysely";
import type { Db } from "../../db/connection.js";
import type { ActorRef } from "../auth/actor.js";
import { unprocessable } from "../errors.js";
import type { BudgetEffects } from "./effects.js";
import { BILLED_CENTS, type PolicyRow } from "./policies.js";
import { liftBudgetStop, lockScopeRows, syncMonthlyBudgetColumn } from "./resolution.js";
import { loadScope } from "./scope.js";
import { observedSpend, type BudgetScopeType } from "./spend.js";
import { applyThresholds } from "./thresholds.js";
import type { BudgetWindowKind } from "./windows.js";

export interface PolicyInput {
  scopeType: BudgetScopeType;
  scopeId: string;
  amount: number;
  windowKind?: BudgetWindowKind | undefined;
  warnPercent?: number | undefined;
  hardStopEnabled?: boolean | undefined;
  notifyEnabled?: boolean | undefined;
  /** False keeps the policy but switches it off (as amount 0 does). */
  isActive?: boolean | undefined;
}

export interface PolicyChange {
  policy: PolicyRow;
  effects: BudgetEffects;
}

/** Call inside a transaction. Unknown or foreign scopes are a 422 (ids of other companies look missing). */
export async function upsertBudgetPolicy(trx: Db, companyId: string, input: PolicyInput, actor: ActorRef): Promise<PolicyChange> {
  if (!(await loadScope(trx, companyId, input.scopeType, input.scopeId))) {
    throw unprocessable("Budget scope does not belong to company", { code: "budget_scope_invalid", scopeType: input.scopeType, scopeId: input.scopeId });
  }
  await lockScopeRows(trx, { companyId, scopeType: input.scopeType, scopeId: input.scopeId });
  // Paperclip's defaults: projects budget their lifetime, agents and companies a calendar month.
  const windowKind = input.windowKind ?? (input.scopeType === "project" ? "lifetime" : "calendar_month_utc");
  const amount = Math.max(0, Math.floor(input.amount));
  const isActive = amount > 0 && (input.isActive ?? true);
  const userId = actor.actorType === "user" ? actor.actorId : null;
  const policy = await trx
    .insertInto("budget_policies")
    .values({
      companyId,
      scopeType: input.scopeType,
      scopeId: input.scopeId,
      metric: BILLED_CENTS,
      windowKind,
      amount,
      warnPercent: input.warnPercent ?? 80,
      hardStopEnabled: input.hardStopEnabled ?? true,
      notifyEnabled: input.notifyEnabled ?? true,
      isActive,
      createdByUserId: userId,
      updatedByUserId: userId,
    })
    .onConflict((oc) =>
      oc.columns(["companyId", "scopeType", "scopeId", "metric", "windowKind"]).doUpdateSet((eb) => ({
        amount,
        isActive,
        // Omitted settings keep their current value.
        warnPercent: input.warnPercent ?? eb.ref("budget_policies.warnPercent"),
        hardStopEnabled: input.hardStopEnabled ?? eb.ref("budget_policies.hardStopEnabled"),
        notifyEnabled: input.notifyEnabled ?? eb.ref("budget_policies.notifyEnabled"),
        updatedByUserId: userId,
        updatedAt: sql`now()`,
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  await syncMonthlyBudgetColumn(trx, policy);
  const observed = isActive ? await observedSpend(trx, policy) : 0;
  if (isActive && policy.hardStopEnabled && observed >= amount) return { policy, effects: await applyThresholds(trx, policy, observed) };
  const effects = await liftBudgetStop(trx, policy, { approve: true, actor, note: "Resolved via budget update" });
  // A new limit still close to the spend warns again (once for this limit).
  if (isActive) await applyThresholds(trx, policy, observed);
  return { policy, effects };
}
