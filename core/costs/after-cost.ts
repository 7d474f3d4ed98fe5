/**
 * What follows every new ledger row, whoever wrote it (a run's finalisation or the cost-events API):
 * month-to-date spend is recomputed onto the agent and company rows, then every active policy the
 * cost counts toward is checked against its thresholds. Runs in the writer's transaction; the
 * returned effects are applied to the engine after commit (core/budgets/enforcement.ts).
 */
import { sql } from "kysely";
import type { Db } from "../../db/connection.js";
import { noBudgetEffects, mergeBudgetEffects, type BudgetEffects } from "../budgets/effects.js";
import { policiesForCost } from "../budgets/policies.js";
import { observedSpend, recomputeMonthlySpend } from "../budgets/spend.js";
import { applyThresholds } from "../budgets/thresholds.js";

export interface RecordedCost {
  companyId: string;
  agentId: string;
  projectId?: string | null;
  /** For a run's cost: its ledger row is found by run id and its project filled in from its issue. */
  heartbeatRunId?: string | null;
}

export async function afterCostRecorded(trx: Db, cost: RecordedCost): Promise<BudgetEffects> {
  let projectId = cost.projectId ?? null;
  if (!projectId && cost.heartbeatRunId) projectId = await fillRunCostProject(trx, cost.heartbeatRunId);
  await recomputeMonthlySpend(trx, cost.companyId, cost.agentId);
  const effects = noBudgetEffects();
  for (const policy of await policiesForCost(trx, { companyId: cost.companyId, agentId: cost.agentId, projectId })) {
    const observed = await observedSpend(trx, policy);
    mergeBudgetEffects(effects, await applyThresholds(trx, policy, observed, { runId: cost.heartbeatRunId ?? null }));
  }
  return effects;
}

/**
 * A run's cost belongs to the project of the issue it worked on (Paperclip's ledger scope for runs),
 * so project budgets see run spend too.
 */
async function fillRunCostProject(trx: Db, runId: string): Promise<string | null> {
  const row = await trx
    .updateTable("cost_events")
    .set({ projectId: sql`(select project_id from issues where issues.id = cost_events.issue_id)` })
    .where("heartbeatRunId", "=", runId)
    .where("projectId", "is", null)
    .where("issueId", "is not", null)
    .returning("projectId")
    .executeTakeFirst();
  return row?.projectId ?? null;
}
