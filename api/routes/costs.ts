/**
 * Costs: the ledger's write door for agents and the board (`POST …/cost-events`) and the cost reports.
 * A reported cost counts toward budgets at once: spend is recomputed and thresholds are checked in
 * the same transaction, and a hard stop cancels the scope's runs before the response.
 */
import type { FastifyInstance, FastifyBaseLogger } from "fastify";
import { z } from "zod";
import { actorRef } from "../../core/auth/actor.js";
import { assertCompanyAccess, assertSelfOrBoard } from "../../core/auth/authz.js";
import { applyBudgetEffects, hasBudgetEffects, type BudgetEffects } from "../../core/budgets/enforcement.js";
import { recordCostEvent } from "../../core/costs/record.js";
import { costRange, costSummary, costsByAgent, costsByAgentModel, costsByBiller, costsByProject, costsByProvider, type CostRange } from "../../core/costs/reports.js";
import { notFound } from "../../core/errors.js";
import type { Db } from "../../db/connection.js";
import { getCompany } from "../../db/queries/companies.js";
import type { AgentScheduler } from "../../temporal/agent-scheduler.js";
import type { ApiDeps } from "../deps.js";
import { idParam, parseOrThrow } from "../validation.js";

const optionalId = z.string().uuid().nullish();
const tokens = z.number().int().min(0).max(2_000_000_000).optional();

/** Paperclip's `createCostEventSchema`. */
export const createCostEventSchema = z
  .object({
    agentId: z.string().uuid(),
    issueId: optionalId,
    projectId: optionalId,
    goalId: optionalId,
    heartbeatRunId: optionalId,
    billingCode: z.string().max(200).nullish(),
    provider: z.string().trim().min(1, "provider is required").max(100),
    biller: z.string().trim().min(1).max(100).nullish(),
    billingType: z.string().trim().min(1).max(64).nullish(),
    /** Sent by newer Paperclip agents; Switchboard has no unpriced state, so it is accepted and ignored. */
    costStatus: z.string().max(32).optional(),
    model: z.string().trim().min(1, "model is required").max(200),
    inputTokens: tokens,
    cachedInputTokens: tokens,
    outputTokens: tokens,
    costCents: z.number().int("costCents must be an integer").min(0, "costCents must be ≥ 0").max(2_000_000_000),
    occurredAt: z.iso.datetime({ offset: true }),
  })
  .strict();

const isoInstant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((v) => new Date(v));

export const costRangeQuery = z
  .object({ from: isoInstant.optional(), to: isoInstant.optional() })
  .refine((q) => !q.from || !q.to || q.from.getTime() <= q.to.getTime(), { message: "from must not be after to", path: ["from"] });

const companyId = idParam("companyId", "Company not found");

/** The engine half of a budget decision, after commit. Failures are logged: the database gate holds. */
export async function enforceBudgetEffects(db: Db, scheduler: AgentScheduler, effects: BudgetEffects, log: FastifyBaseLogger): Promise<void> {
  if (!hasBudgetEffects(effects)) return;
  const failures = await applyBudgetEffects(db, scheduler, effects);
  for (const failure of failures) log.warn({ failure }, "budget enforcement did not reach the engine");
}

export function costRoutes(app: FastifyInstance, { db, scheduler }: ApiDeps): void {
  app.post(
    "/api/companies/:companyId/cost-events",
    { config: { openapi: { summary: "Record a cost event", body: createCostEventSchema, auth: "board, or an agent for its own costs" } } },
    async (req, reply) => {
      const cid = companyId(req.params);
      assertCompanyAccess(req.actor, cid, "write");
      const body = parseOrThrow(createCostEventSchema, req.body ?? {});
      assertSelfOrBoard(req.actor, body.agentId, "Agent can only report its own costs");
      if (!(await getCompany(db, cid))) throw notFound("Company not found");
      const { costStatus: _ignored, occurredAt, ...fields } = body;
      const { event, effects } = await recordCostEvent(db, cid, { ...fields, occurredAt: new Date(occurredAt) }, actorRef(req.actor));
      await enforceBudgetEffects(db, scheduler, effects, req.log);
      return reply.status(201).send(event);
    },
  );

  const report = <T>(path: string, summary: string, build: (cid: string, range: CostRange) => Promise<T>) =>
    app.get(path, { config: { openapi: { summary, query: costRangeQuery, auth: "board or agent of the company" } } }, async (req) => {
      const cid = companyId(req.params);
      assertCompanyAccess(req.actor, cid);
      const q = parseOrThrow(costRangeQuery, req.query ?? {});
      if (!(await getCompany(db, cid))) throw notFound("Company not found");
      return build(cid, costRange(q.from, q.to));
    });

  report("/api/companies/:companyId/costs/summary", "Cost report: spend, budget and utilisation", (cid, r) => costSummary(db, cid, r));
  report("/api/companies/:companyId/costs/by-agent", "Cost report: by agent", (cid, r) => costsByAgent(db, cid, r));
  report("/api/companies/:companyId/costs/by-provider", "Cost report: by provider and model", (cid, r) => costsByProvider(db, cid, r));
  report("/api/companies/:companyId/costs/by-biller", "Cost report: by biller", (cid, r) => costsByBiller(db, cid, r));
  report("/api/companies/:companyId/costs/by-agent-model", "Cost report: by agent and model", (cid, r) => costsByAgentModel(db, cid, r));
  report("/api/companies/:companyId/costs/by-project", "Cost report: by project", (cid, r) => costsByProject(db, cid, r));
}
