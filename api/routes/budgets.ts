/**
 * Budgets: monthly budgets of companies and agents, budget policies (company, agent, project), the
 * overview, and resolving the incidents a hard stop opens. Changes are the board's (owner/admin).
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { logActivity } from "../../core/activity-log.js";
import { actorRef } from "../../core/auth/actor.js";
import { assertBoard, assertCompanyAccess, assertRowAccess } from "../../core/auth/authz.js";
import { resolveIncident } from "../../core/budgets/incidents.js";
import { budgetOverview } from "../../core/budgets/overview.js";
import { summarizePolicy } from "../../core/budgets/policies.js";
import { upsertBudgetPolicy, type PolicyInput } from "../../core/budgets/policy-upsert.js";
import { BUDGET_SCOPE_TYPES } from "../../core/budgets/spend.js";
import { BUDGET_WINDOW_KINDS } from "../../core/budgets/windows.js";
import { notFound } from "../../core/errors.js";
import { getAgent } from "../../db/queries/agents.js";
import { getCompany } from "../../db/queries/companies.js";
import type { ApiDeps } from "../deps.js";
import { idParam, parseOrThrow } from "../validation.js";
import { enforceBudgetEffects } from "./costs.js";

const cents = z.number().int("must be an integer number of cents").min(0).max(2_000_000_000);

export const updateBudgetSchema = z.object({ budgetMonthlyCents: cents }).strict();

/** Paperclip's `upsertBudgetPolicySchema`. */
export const upsertBudgetPolicySchema = z
  .object({
    scopeType: z.enum(BUDGET_SCOPE_TYPES),
    scopeId: z.string().uuid(),
    amount: cents,
    metric: z.literal("billed_cents").optional(),
    windowKind: z.enum(BUDGET_WINDOW_KINDS).optional(),
    warnPercent: z.number().int().min(1, "warnPercent must be between 1 and 99").max(99, "warnPercent must be between 1 and 99").optional(),
    hardStopEnabled: z.boolean().optional(),
    notifyEnabled: z.boolean().optional(),
    isActive: z.boolean().optional(),
  })
  .strict();

export const resolveBudgetIncidentSchema = z
  .object({
    action: z.enum(["raise_budget_and_resume", "keep_paused"]),
    amount: cents.optional(),
    decisionNote: z.string().max(10_000).nullish(),
  })
  .strict();

const companyId = idParam("companyId", "Company not found");
const agentId = idParam("id", "Agent not found");
const incidentId = idParam("incidentId", "Budget incident not found");

export function budgetRoutes(app: FastifyInstance, { db, scheduler }: ApiDeps): void {
  /** One policy change in one transaction with its activity row; the engine follows after commit. */
  const changePolicy = async (cid: string, input: PolicyInput, actor: ReturnType<typeof actorRef>, activity: { action: string; entityType: string; entityId: (policyId: string) => string; agentId?: string }) => {
    return db.transaction().execute(async (trx) => {
      const change = await upsertBudgetPolicy(trx, cid, input, actor);
      await logActivity(trx, {
        companyId: cid,
        actor,
        action: activity.action,
        entityType: activity.entityType,
        entityId: activity.entityId(change.policy.id),
        ...(activity.agentId ? { agentId: activity.agentId } : {}),
        details: { policyId: change.policy.id, scopeType: change.policy.scopeType, scopeId: change.policy.scopeId, amount: change.policy.amount, windowKind: change.policy.windowKind },
      });
      return change;
    });
  };

  app.patch("/api/companies/:companyId/budgets", { config: { openapi: { summary: "Set the company's monthly budget", body: updateBudgetSchema, auth: "board (owner/admin)" } } }, async (req) => {
    const cid = companyId(req.params);
    assertBoard(req.actor);
    assertCompanyAccess(req.actor, cid, "manage");
    const body = parseOrThrow(updateBudgetSchema, req.body ?? {});
    if (!(await getCompany(db, cid))) throw notFound("Company not found");
    const { effects } = await changePolicy(cid, { scopeType: "company", scopeId: cid, amount: body.budgetMonthlyCents, windowKind: "calendar_month_utc" }, actorRef(req.actor), {
      action: "company.budget_updated",
      entityType: "company",
      entityId: () => cid,
    });
    await enforceBudgetEffects(db, scheduler, effects, req.log);
    return getCompany(db, cid);
  });

  app.patch("/api/agents/:id/budgets", { config: { openapi: { summary: "Set an agent's monthly budget", body: updateBudgetSchema, auth: "board (owner/admin)" } } }, async (req) => {
    assertBoard(req.actor);
    const agent = assertRowAccess(req.actor, await getAgent(db, agentId(req.params)), "Agent", "manage");
    const body = parseOrThrow(updateBudgetSchema, req.body ?? {});
    const { effects } = await changePolicy(agent.companyId, { scopeType: "agent", scopeId: agent.id, amount: body.budgetMonthlyCents, windowKind: "calendar_month_utc" }, actorRef(req.actor), {
      action: "agent.budget_updated",
      entityType: "agent",
      entityId: () => agent.id,
      agentId: agent.id,
    });
    await enforceBudgetEffects(db, scheduler, effects, req.log);
    return getAgent(db, agent.id);
  });

  app.post("/api/companies/:companyId/budgets/policies", { config: { openapi: { summary: "Create or update a budget policy", body: upsertBudgetPolicySchema, auth: "board (owner/admin)" } } }, async (req) => {
    const cid = companyId(req.params);
    assertBoard(req.actor);
    assertCompanyAccess(req.actor, cid, "manage");
    const body = parseOrThrow(upsertBudgetPolicySchema, req.body ?? {});
    if (!(await getCompany(db, cid))) throw notFound("Company not found");
    const { metric: _billedCentsOnly, ...input } = body;
    const { policy, effects } = await changePolicy(cid, input, actorRef(req.actor), {
      action: "budget.policy_upserted",
      entityType: "budget_policy",
      entityId: (id) => id,
      ...(input.scopeType === "agent" ? { agentId: input.scopeId } : {}),
    });
    await enforceBudgetEffects(db, scheduler, effects, req.log);
    return summarizePolicy(db, policy);
  });

  app.get("/api/companies/:companyId/budgets/overview", { config: { openapi: { summary: "Budget overview: policies, spend against them, open incidents", auth: "board or agent of the company" } } }, async (req) => {
    const cid = companyId(req.params);
    assertCompanyAccess(req.actor, cid);
    if (!(await getCompany(db, cid))) throw notFound("Company not found");
    return budgetOverview(db, cid);
  });

  app.post(
    "/api/companies/:companyId/budget-incidents/:incidentId/resolve",
    { config: { openapi: { summary: "Resolve a budget incident: raise the budget and resume, or keep the scope paused", body: resolveBudgetIncidentSchema, auth: "board (owner/admin)" } } },
    async (req) => {
      const cid = companyId(req.params);
      const iid = incidentId(req.params);
      assertBoard(req.actor);
      assertCompanyAccess(req.actor, cid, "manage");
      const body = parseOrThrow(resolveBudgetIncidentSchema, req.body ?? {});
      const { incident, effects } = await resolveIncident(db, cid, iid, body, actorRef(req.actor));
      await enforceBudgetEffects(db, scheduler, effects, req.log);
      return incident;
    },
  );
}
