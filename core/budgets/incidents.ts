/** Budget incidents as the board sees and resolves them. */
import { sql } from "kysely";
import type { Db } from "../../db/connection.js";
import { logActivity } from "../activity-log.js";
import type { ActorRef } from "../auth/actor.js";
import { conflict, notFound, unprocessable } from "../errors.js";
import { mergeBudgetEffects, noBudgetEffects, type BudgetEffects } from "./effects.js";
import { loadScope } from "./scope.js";
import { observedSpend } from "./spend.js";
import { decideApprovals, liftBudgetStop, lockScopeRows, setPolicyAmount } from "./resolution.js";
import { applyThresholds, type IncidentRow } from "./thresholds.js";

export type IncidentAction = "raise_budget_and_resume" | "keep_paused";

export interface IncidentResolution {
  action: IncidentAction;
  amount?: number | undefined;
  decisionNote?: string | null | undefined;
}

export interface IncidentView extends IncidentRow {
  scopeName: string;
  approvalStatus: string | null;
}

export async function describeIncidents(db: Db, rows: IncidentRow[]): Promise<IncidentView[]> {
  const approvalIds = rows.map((r) => r.approvalId).filter((id): id is string => Boolean(id));
  const approvals = approvalIds.length > 0 ? await db.selectFrom("approvals").select(["id", "status"]).where("id", "in", approvalIds).execute() : [];
  const statusOf = new Map(approvals.map((a) => [a.id, a.status as string]));
  return Promise.all(
    rows.map(async (row) => ({
      ...row,
      scopeName: (await loadScope(db, row.companyId, row.scopeType, row.scopeId))?.name ?? row.scopeType,
      approvalStatus: row.approvalId ? (statusOf.get(row.approvalId) ?? null) : null,
    })),
  );
}

export async function listOpenIncidents(db: Db, companyId: string): Promise<IncidentView[]> {
  const rows = await db.selectFrom("budget_incidents").selectAll().where("companyId", "=", companyId).where("status", "=", "open").orderBy("createdAt", "desc").execute();
  return describeIncidents(db, rows);
}

/**
 * `raise_budget_and_resume`: the new amount must exceed the spend so far (422 otherwise); the policy
 * takes it, the scope resumes, the policy's open incidents close and their approvals are approved.
 * `keep_paused`: the incident is dismissed and its approval rejected; the scope stays paused.
 */
export async function resolveIncident(db: Db, companyId: string, incidentId: string, input: IncidentResolution, actor: ActorRef): Promise<{ incident: IncidentView; effects: BudgetEffects }> {
  const effects = await db.transaction().execute(async (trx) => {
    const incident = await trx.selectFrom("budget_incidents").selectAll().where("id", "=", incidentId).where("companyId", "=", companyId).executeTakeFirst();
    if (!incident) throw notFound("Budget incident not found");
    if (incident.status !== "open") throw conflict("Budget incident is already resolved", { code: "incident_not_open", status: incident.status });
    await lockScopeRows(trx, incident);
    const policy = await trx.selectFrom("budget_policies").selectAll().where("id", "=", incident.policyId).executeTakeFirstOrThrow();
    const note = input.decisionNote ?? null;
    const out = noBudgetEffects();
    if (input.action === "raise_budget_and_resume") {
      const observed = await observedSpend(trx, policy);
      const amount = Math.floor(input.amount ?? 0);
      if (amount <= observed) throw unprocessable("New budget must exceed current observed spend", { code: "budget_amount_too_low", observedAmount: observed, amount });
      const raised = await setPolicyAmount(trx, policy, amount, actor);
      mergeBudgetEffects(out, await liftBudgetStop(trx, raised, { approve: true, actor, note }));
      await applyThresholds(trx, raised, observed);
    } else {
      await trx.updateTable("budget_incidents").set({ status: "dismissed", resolvedAt: sql`now()`, updatedAt: sql`now()` }).where("id", "=", incident.id).execute();
      if (actor.actorType === "user") await decideApprovals(trx, [incident], "rejected", actor.actorId, note);
    }
    await logActivity(trx, {
      companyId,
      actor,
      action: "budget.incident_resolved",
      entityType: "budget_incident",
      entityId: incident.id,
      agentId: incident.scopeType === "agent" ? incident.scopeId : null,
      details: { action: input.action, amount: input.amount ?? null, policyId: policy.id, scopeType: incident.scopeType, scopeId: incident.scopeId, approvalId: incident.approvalId },
    });
    return out;
  });
  const row = await db.selectFrom("budget_incidents").selectAll().where("id", "=", incidentId).executeTakeFirstOrThrow();
  const [incident] = await describeIncidents(db, [row]);
  return { incident: incident!, effects };
}
