/** Spend read from the ledger (`cost_events`): the only source of truth for every budget number. */
import { sql } from "kysely";
import type { Db } from "../../db/connection.js";
import { monthWindowUtc, windowOf } from "./windows.js";

export type BudgetScopeType = "company" | "agent" | "project";
export const BUDGET_SCOPE_TYPES = ["company", "agent", "project"] as const;

export interface SpendScope {
  companyId: string;
  scopeType: string;
  scopeId: string;
  windowKind: string;
}

/** Sum of `cost_cents` of the scope inside the policy's current window. */
export async function observedSpend(db: Db, scope: SpendScope, now: Date = new Date()): Promise<number> {
  const { start, end } = windowOf(scope.windowKind, now);
  let q = db
    .selectFrom("cost_events")
    .select(sql<number>`coalesce(sum(cost_cents), 0)::bigint`.as("total"))
    .where("companyId", "=", scope.companyId)
    .where("occurredAt", ">=", start)
    .where("occurredAt", "<", end);
  if (scope.scopeType === "agent") q = q.where("agentId", "=", scope.scopeId);
  if (scope.scopeType === "project") q = q.where("projectId", "=", scope.scopeId);
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.total);
}

/** `spent_monthly_cents` is an int4 column: an absurd ledger saturates it rather than failing the write. */
export const INT4_MAX = 2_147_483_647;

/**
 * Writes month-to-date spend of the agent and of its company onto their rows (what the board shows as
 * "spent this month"). Agent first, then company: the same lock order as run finalisation.
 */
export async function recomputeMonthlySpend(db: Db, companyId: string, agentId: string, now: Date = new Date()): Promise<{ agentCents: number; companyCents: number }> {
  const { start, end } = monthWindowUtc(now);
  const monthTotal = (byAgent: boolean) =>
    sql<number>`(select least(coalesce(sum(cost_cents), 0), ${INT4_MAX})::int from cost_events
      where company_id = ${companyId} ${byAgent ? sql`and agent_id = ${agentId}` : sql``}
      and occurred_at >= ${start} and occurred_at < ${end})`;
  const agent = await db
    .updateTable("agents")
    .set({ spentMonthlyCents: monthTotal(true), updatedAt: sql`now()` })
    .where("id", "=", agentId)
    .returning("spentMonthlyCents")
    .executeTakeFirst();
  const company = await db
    .updateTable("companies")
    .set({ spentMonthlyCents: monthTotal(false), updatedAt: sql`now()` })
    .where("id", "=", companyId)
    .returning("spentMonthlyCents")
    .executeTakeFirst();
  return { agentCents: agent?.spentMonthlyCents ?? 0, companyCents: company?.spentMonthlyCents ?? 0 };
}
