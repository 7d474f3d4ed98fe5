/**
 * The calling agent's own view (agent authentication only): who it is, who it reports to, what it
 * spent this month, and its inbox — the issues assigned to it that still need work.
 */
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { assertAgent } from "../../core/auth/authz.js";
import { notFound } from "../../core/errors.js";
import { managerChain } from "../../core/org-chart.js";
import { getAgent } from "../../db/queries/agents.js";
import { listInbox } from "../../db/queries/issues.js";
import type { ApiDeps } from "../deps.js";

export function agentMeRoutes(app: FastifyInstance, { db }: ApiDeps): void {
  app.get("/api/agents/me", { config: { openapi: { summary: "The calling agent, its chain of command and this month's spend", auth: "agent" } } }, async (req) => {
    const actor = req.actor;
    assertAgent(actor);
    const [agent, chain, spend] = await Promise.all([
      getAgent(db, actor.agentId),
      managerChain(db, actor.companyId, actor.agentId),
      // Month-to-date from the ledger (UTC calendar month), like Paperclip: no reset job to miss.
      db
        .selectFrom("cost_events")
        .select(sql<number>`coalesce(sum(cost_cents), 0)::int`.as("cents"))
        .where("agentId", "=", actor.agentId)
        .where("occurredAt", ">=", sql<Date>`date_trunc('month', now() at time zone 'utc') at time zone 'utc'`)
        .executeTakeFirstOrThrow(),
    ]);
    if (!agent) throw notFound("Agent not found");
    return {
      ...agent,
      spentMonthlyCents: spend.cents,
      chainOfCommand: chain.slice(1).map(({ id, name, role, title }) => ({ id, name, role, title })),
    };
  });

  app.get("/api/agents/me/inbox-lite", { config: { openapi: { summary: "Issues assigned to the calling agent in todo, in_progress or blocked", auth: "agent" } } }, async (req) => {
    const actor = req.actor;
    assertAgent(actor);
    return listInbox(db, actor.companyId, actor.agentId);
  });
}
