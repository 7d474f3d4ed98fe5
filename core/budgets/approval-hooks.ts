/**
 * What approving or rejecting a `budget_override_required` approval does to the budget it is about.
 * Called by the approvals routes; owned by the budgets code.
 */
import type { Db } from "../../db/connection.js";
import type { AgentScheduler } from "../../temporal/agent-scheduler.js";
import type { ActorRef } from "../auth/actor.js";

export interface BudgetOverrideDecision {
  approvalId: string;
  companyId: string;
  decision: "approved" | "rejected";
  payload: Record<string, unknown>;
  actor: ActorRef;
  decisionNote: string | null;
}

// Placeholder until the budgets change lands: the approval's status change is all that happens.
export async function onBudgetOverrideDecided(_db: Db, _scheduler: AgentScheduler, _decision: BudgetOverrideDecision): Promise<void> {}
