/**
 * Long-lived agent API keys (`pcp_<48 hex>`): for agents that run outside Switchboard's engine.
 * Board only; the token is shown once; revocation takes effect on the next request.
 */
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { z } from "zod";
import { actorRef } from "../../core/auth/actor.js";
import { assertBoard, assertRowAccess } from "../../core/auth/authz.js";
import { AGENT_KEY_PREFIX, generateToken, hashToken } from "../../core/auth/tokens.js";
import { logActivity } from "../../core/activity-log.js";
import { conflict, notFound } from "../../core/errors.js";
import { getAgent } from "../../db/queries/agents.js";
import type { ApiDeps } from "../deps.js";
import { idParam, parseOrThrow } from "../validation.js";

export const createAgentKeySchema = z.object({ name: z.string().trim().min(1).max(200).default("default") }).strict();

const agentId = idParam("id", "Agent not found");
const keyId = idParam("keyId", "Agent API key not found");

export function agentKeyRoutes(app: FastifyInstance, { db }: ApiDeps): void {
  app.get("/api/agents/:id/keys", { config: { openapi: { summary: "List an agent's API keys (no tokens)", auth: "board" } } }, async (req) => {
    assertBoard(req.actor);
    const agent = assertRowAccess(req.actor, await getAgent(db, agentId(req.params)), "Agent");
    return db.selectFrom("agent_api_keys").select(["id", "name", "createdAt", "lastUsedAt", "revokedAt"]).where("agentId", "=", agent.id).orderBy("createdAt", "desc").execute();
  });

  app.post("/api/agents/:id/keys", { config: { openapi: { summary: "Create an agent API key (the token is returned once)", auth: "board (owner/admin)", body: createAgentKeySchema } } }, async (req, reply) => {
    assertBoard(req.actor);
    const agent = assertRowAccess(req.actor, await getAgent(db, agentId(req.params)), "Agent", "manage");
    const body = parseOrThrow(createAgentKeySchema, req.body ?? {});
    if (agent.status === "pending_approval" || agent.status === "terminated") throw conflict(`Cannot create keys for a ${agent.status} agent`, { code: "agent_not_keyable", status: agent.status });
    const token = generateToken(AGENT_KEY_PREFIX);
    const row = await db.transaction().execute(async (trx) => {
      const created = await trx
        .insertInto("agent_api_keys")
        .values({ agentId: agent.id, companyId: agent.companyId, name: body.name, keyHash: hashToken(token) })
        .returning(["id", "name", "createdAt"])
        .executeTakeFirstOrThrow();
      await logActivity(trx, { companyId: agent.companyId, actor: actorRef(req.actor), action: "agent.key_created", entityType: "agent", entityId: agent.id, agentId: agent.id, details: { keyId: created.id, name: created.name } });
      return created;
    });
    return reply.status(201).send({ ...row, scope: "standard", token });
  });

  app.delete("/api/agents/:id/keys/:keyId", { config: { openapi: { summary: "Revoke an agent API key", auth: "board (owner/admin)" } } }, async (req) => {
    assertBoard(req.actor);
    const agent = assertRowAccess(req.actor, await getAgent(db, agentId(req.params)), "Agent", "manage");
    const kid = keyId(req.params);
    return db.transaction().execute(async (trx) => {
      const row = await trx.updateTable("agent_api_keys").set({ revokedAt: sql`coalesce(revoked_at, now())` }).where("id", "=", kid).where("agentId", "=", agent.id).returning(["id", "revokedAt"]).executeTakeFirst();
      if (!row) throw notFound("Agent API key not found");
      await logActivity(trx, { companyId: agent.companyId, actor: actorRef(req.actor), action: "agent.key_revoked", entityType: "agent", entityId: agent.id, agentId: agent.id, details: { keyId: kid } });
      return { ok: true, ...row };
    });
  });
}
