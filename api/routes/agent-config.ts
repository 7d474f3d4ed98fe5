/**
 * Agent permissions and configuration history: `PATCH /api/agents/:id/permissions` (board) and rolling
 * an agent back to a recorded config revision. Every change is itself a new revision, so a rollback
 * can be rolled back.
 */
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { z } from "zod";
import { syncSchedule } from "../../core/agent-lifecycle.js";
import { logActivity } from "../../core/activity-log.js";
import { actorRef } from "../../core/auth/actor.js";
import { assertBoard, assertRowAccess } from "../../core/auth/authz.js";
import { notFound } from "../../core/errors.js";
import { getAgent } from "../../db/queries/agents.js";
import type { ApiDeps } from "../deps.js";
import { idParam, parseOrThrow } from "../validation.js";

export const updatePermissionsSchema = z
  .object({ canCreateAgents: z.boolean().optional(), canAssignTasks: z.boolean().optional() })
  .strict();

/** Fields a revision may restore (identity fields such as the company are never part of one). */
const RESTORABLE = ["name", "role", "title", "reportsTo", "capabilities", "adapterType", "adapterConfig", "runtimeConfig", "budgetMonthlyCents", "permissions"] as const;

const agentId = idParam("id", "Agent not found");
const revisionId = idParam("revisionId", "Config revision not found");

export function agentConfigRoutes(app: FastifyInstance, { db, scheduler }: ApiDeps): void {
  app.patch("/api/agents/:id/permissions", { config: { openapi: { summary: "Set an agent's permissions (board)", body: updatePermissionsSchema } } }, async (req) => {
    assertBoard(req.actor);
    const agent = assertRowAccess(req.actor, await getAgent(db, agentId(req.params)), "Agent", "manage");
    const body = parseOrThrow(updatePermissionsSchema, req.body ?? {});
    const permissions = { ...((agent.permissions ?? {}) as Record<string, unknown>), ...body };
    return db.transaction().execute(async (trx) => {
      const updated = await trx.updateTable("agents").set({ permissions: permissions as never, updatedAt: sql`now()` }).where("id", "=", agent.id).returningAll().executeTakeFirstOrThrow();
      await logActivity(trx, { companyId: agent.companyId, actor: actorRef(req.actor), action: "agent.permissions_updated", entityType: "agent", entityId: agent.id, agentId: agent.id, details: body });
      return updated;
    });
  });

  app.get("/api/agents/:id/config-revisions/:revisionId", async (req) => {
    const agent = assertRowAccess(req.actor, await getAgent(db, agentId(req.params)), "Agent");
    const row = await db.selectFrom("agent_config_revisions").selectAll().where("id", "=", revisionId(req.params)).where("agentId", "=", agent.id).executeTakeFirst();
    if (!row) throw notFound("Config revision not found");
    return row;
  });

  app.post("/api/agents/:id/config-revisions/:revisionId/rollback", { config: { openapi: { summary: "Restore the configuration an agent had before a revision (board)" } } }, async (req) => {
    assertBoard(req.actor);
    const agent = assertRowAccess(req.actor, await getAgent(db, agentId(req.params)), "Agent", "manage");
    const revision = await db.selectFrom("agent_config_revisions").selectAll().where("id", "=", revisionId(req.params)).where("agentId", "=", agent.id).executeTakeFirst();
    if (!revision) throw notFound("Config revision not found");
    const before = (revision.beforeConfig ?? {}) as Record<string, unknown>;
    const restore = Object.fromEntries(RESTORABLE.filter((k) => k in before).map((k) => [k, before[k]]));
    const updated = await db.transaction().execute(async (trx) => {
      const row = await trx.updateTable("agents").set({ ...(restore as Record<string, never>), updatedAt: sql`now()` }).where("id", "=", agent.id).returningAll().executeTakeFirstOrThrow();
      const snapshot = (a: Record<string, unknown>) => Object.fromEntries(RESTORABLE.map((k) => [k, a[k] ?? null]));
      await trx
        .insertInto("agent_config_revisions")
        .values({
          companyId: agent.companyId,
          agentId: agent.id,
          createdByUserId: req.actor.type === "board" ? req.actor.userId : null,
          source: "rollback",
          rolledBackFromRevisionId: revision.id,
          changedKeys: JSON.stringify(Object.keys(restore)) as never,
          beforeConfig: snapshot(agent) as never,
          afterConfig: snapshot(row) as never,
        })
        .execute();
      await logActivity(trx, { companyId: agent.companyId, actor: actorRef(req.actor), action: "agent.config_rolled_back", entityType: "agent", entityId: agent.id, agentId: agent.id, details: { revisionId: revision.id } });
      return row;
    });
    await syncSchedule(scheduler, updated);
    return updated;
  });
}
