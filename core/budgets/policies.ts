/** Reading budget policies: which apply to a cost, and how each stands against its window. */
import type { Selectable } from "kysely";
import type { Db } from "../../db/connection.js";
import type { BudgetPolicyTable } from "../../db/schema.js";
import { loadScope } from "./scope.js";
import { observedSpend } from "./spend.js";
import { budgetStatus, utilizationPercent, windowOf, type BudgetStatus } from "./windows.js";

export type PolicyRow = Selectable<BudgetPolicyTable>;

export const BILLED_CENTS = "billed_cents";

/** What a cost is attributed to: the company always, the agent always, a project when known. */
export interface CostScope {
  companyId: string;
  agentId: string;
  projectId?: string | null;
}

/** Active, non-zero policies that a cost in this scope counts toward. */
export async function policiesForCost(db: Db, scope: CostScope): Promise<PolicyRow[]> {
  return db
    .selectFrom("budget_policies")
    .selectAll()
    .where("companyId", "=", scope.companyId)
    .where("isActive", "=", true)
    .where("metric", "=", BILLED_CENTS)
    .where("amount", ">", 0)
    .where((eb) =>
      eb.or([
        eb.and([eb("scopeType", "=", "company"), eb("scopeId", "=", scope.companyId)]),
        eb.and([eb("scopeType", "=", "agent"), eb("scopeId", "=", scope.agentId)]),
        ...(scope.projectId ? [eb.and([eb("scopeType", "=", "project"), eb("scopeId", "=", scope.projectId)])] : []),
      ]),
    )
    .orderBy("createdAt")
    .execute();
}

export interface PolicySummary {
  policyId: string;
  companyId: string;
  scopeType: string;
  scopeId: string;
  scopeName: string;
  metric: string;
  windowKind: string;
  amount: number;
  observedAmount: number;
  remainingAmount: number;
  utilizationPercent: number;
  warnPercent: number;
  hardStopEnabled: boolean;
  notifyEnabled: boolean;
  isActive: boolean;
  status: BudgetStatus;
  paused: boolean;
  pauseReason: string | null;
  windowStart: Date;
  windowEnd: Date;
}

export async function summarizePolicy(db: Db, policy: PolicyRow): Promise<PolicySummary> {
  const scope = await loadScope(db, policy.companyId, policy.scopeType, policy.scopeId);
  const observedAmount = await observedSpend(db, policy);
  const { start, end } = windowOf(policy.windowKind);
  const amount = policy.isActive ? policy.amount : 0;
  return {
    policyId: policy.id,
    companyId: policy.companyId,
    scopeType: policy.scopeType,
    scopeId: policy.scopeId,
    // A deleted scope keeps its policy row (no FK); name it by its type rather than fail the list.
    scopeName: scope?.name ?? policy.scopeType,
    metric: policy.metric,
    windowKind: policy.windowKind,
    amount,
    observedAmount,
    remainingAmount: amount > 0 ? Math.max(0, amount - observedAmount) : 0,
    utilizationPercent: utilizationPercent(observedAmount, amount),
    warnPercent: policy.warnPercent,
    hardStopEnabled: policy.hardStopEnabled,
    notifyEnabled: policy.notifyEnabled,
    isActive: policy.isActive,
    status: policy.isActive ? budgetStatus(observedAmount, amount, policy.warnPercent) : "ok",
    paused: scope?.paused ?? false,
    pauseReason: scope?.pauseReason ?? null,
    windowStart: start,
    windowEnd: end,
  };
}
