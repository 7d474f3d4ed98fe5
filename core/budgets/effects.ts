/**
 * What a budget decision asks of the engine once its transaction commits: stop a scope's work, or
 * let a scope's agents take wakes again. Plain data, so the deciding code (which runs inside
 * transactions, also in activities) never talks to Temporal itself.
 */
import type { ActorRef } from "../auth/actor.js";
import type { ScopeRef } from "./scope.js";

export interface BudgetEffects {
  /** Scopes at or over a hard limit: their queued and running work stops. */
  stop: ScopeRef[];
  /** Scopes whose budget pause was lifted: their agent workflows take wakes again. */
  resume: ScopeRef[];
}

export const noBudgetEffects = (): BudgetEffects => ({ stop: [], resume: [] });

export function mergeBudgetEffects(into: BudgetEffects, more: BudgetEffects): BudgetEffects {
  into.stop.push(...more.stop);
  into.resume.push(...more.resume);
  return into;
}

export const hasBudgetEffects = (e: BudgetEffects) => e.stop.length > 0 || e.resume.length > 0;

/** Who the activity log names for decisions the budget rules take on their own. */
export const BUDGET_SERVICE_ACTOR: ActorRef = { actorType: "system", actorId: "budget_service", agentId: null, runId: null };
