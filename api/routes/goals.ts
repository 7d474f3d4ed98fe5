/**
 * Goals (Paperclip §7.2): a per-company hierarchy through `parentId` (never a loop, never across
 * companies), each with a level, a status and an optional owning agent. Issues and projects point
 * at goals; deleting one leaves them (and its sub-goals) without it.
 */
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { z } from "zod";
import { logActivity } from "../../core/activity-log.js";
import { actorRef, type Actor } from "../../core/auth/actor.js";
import { assertCompanyAccess, assertRowAccess, type CompanyAccess } from "../../core/auth/authz.js";
import { notFound, unprocessable } from "../../core/errors.js";
import type { Db } from "../../db/connection.js";
import { getAgentInCompany } from "../../db/queries/agents.js";
import { getCompany } from "../../db/queries/companies.js";
import type { ApiDeps } from "../deps.js";
import { idParam, parseOrThrow } from "../validation.js";

export const GOAL_LEVELS = ["company", "team", "agent", "task"] as const;
export const GOAL_STATUSES = ["planned", "active", "achieved", "cancelled"] as const;

const goalFields = {
  title: z.string().trim().min(1, "title is required").max(500),
  description: z.string().max(50_000).nullable(),
  level: z.enum(GOAL_LEVELS),
  status: z.enum(GOAL_STATUSES),
  parentId: z.string().uuid().nullable(),
  ownerAgentId: z.string().uuid().nullable(),
};

export const createGoalSchema = z
  .object({
    ...goalFields,
    description: goalFields.description.optional(),
    level: goalFields.level.default("task"),
    status: goalFields.status.default("planned"),
    parentId: goalFields.parentId.optional(),
    ownerAgentId: goalFields.ownerAgentId.optional(),
  })
  .strict();
export const updateGoalSchema = z.object(goalFields).partial().strict();
export const listGoalsQuery = z.object({ level: z.enum(GOAL_LEVELS).optional(), status: z.enum(GOAL_STATUSES).optional() });

const companyId = idParam("companyId", "Company not found");
const goalId = idParam("id", "Goal not found");

/** The goal and its ancestors' ids, nearest first (bounded: a corrupt chain cannot loop forever). */
async function ancestorIds(db: Db, companyId: string, id: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    with recursive chain as (
      select id, parent_id, 0 as depth from goals where id = ${id} and company_id = ${companyId}
      union all
      select g.id, g.parent_id, c.depth + 1 from goals g join chain c on g.id = c.parent_id
       where g.company_id = ${companyId} and c.depth < 1000
    )
    select id from chain order by depth`.execute(db);
  return rows.map((r) => r.id);
}

/** 422 unless the parent is a goal of the same company that does not descend from `selfId`. */
async function assertValidParent(db: Db, companyId: string, selfId: string | null, parentId: string | null | undefined): Promise<void> {
  if (!parentId) return;
  if (parentId === selfId) throw unprocessable("A goal cannot be its own parent", { code: "goal_cycle" });
  const chain = await ancestorIds(db, companyId, parentId);
  if (chain.length === 0) throw unprocessable("parentId must name a goal of the same company", { code: "invalid_parent_goal" });
  if (selfId && chain.includes(selfId)) throw unprocessable("parentId would create a cycle in the goal hierarchy", { code: "goal_cycle" });
}

async function assertValidOwner(db: Db, companyId: string, ownerAgentId: string | null | undefined): Promise<void> {
  if (ownerAgentId && !(await getAgentInCompany(db, companyId, ownerAgentId))) {
    throw unprocessable("ownerAgentId must name an agent of the same company", { code: "invalid_owner_agent" });
  }
}

export function goalRoutes(app: FastifyInstance, { db }: ApiDeps): void {
  const loadGoal = async (actor: Actor, params: unknown, access: CompanyAccess = "read") =>
    assertRowAccess(actor, await db.selectFrom("goals").selectAll().where("id", "=", goalId(params)).executeTakeFirst(), "Goal", access);

  app.get("/api/companies/:companyId/goals", { config: { openapi: { summary: "List goals in a company", auth: "board or agent of the company", query: listGoalsQuery } } }, async (req) => {
    const cid = companyId(req.params);
    assertCompanyAccess(req.actor, cid);
    const q = parseOrThrow(listGoalsQuery, req.query ?? {});
    if (!(await getCompany(db, cid))) throw notFound("Company not found");
    let query = db.selectFrom("goals").selectAll().where("companyId", "=", cid);
    if (q.level) query = query.where("level", "=", q.level);
    if (q.status) query = query.where("status", "=", q.status);
    return query.orderBy("createdAt").orderBy("id").execute();
  });

  app.post("/api/companies/:companyId/goals", { config: { openapi: { summary: "Create a goal", auth: "board (write) or agent of the company", body: createGoalSchema } } }, async (req, reply) => {
    const cid = companyId(req.params);
    assertCompanyAccess(req.actor, cid, "write");
    const body = parseOrThrow(createGoalSchema, req.body ?? {});
    if (!(await getCompany(db, cid))) throw notFound("Company not found");
    await assertValidParent(db, cid, null, body.parentId);
    await assertValidOwner(db, cid, body.ownerAgentId);
    const goal = await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto("goals")
        .values({ companyId: cid, title: body.title, description: body.description ?? null, level: body.level, status: body.status, parentId: body.parentId ?? null, ownerAgentId: body.ownerAgentId ?? null })
        .returningAll()
        .executeTakeFirstOrThrow();
      await logActivity(trx, { companyId: cid, actor: actorRef(req.actor), action: "goal.created", entityType: "goal", entityId: row.id, details: { title: row.title, level: row.level, parentId: row.parentId } });
      return row;
    });
    return reply.status(201).send(goal);
  });

  app.get("/api/goals/:id", { config: { openapi: { summary: "Get a goal", auth: "board or agent of the company" } } }, async (req) => loadGoal(req.actor, req.params));

  app.patch("/api/goals/:id", { config: { openapi: { summary: "Update a goal", auth: "board (write) or agent of the company", body: updateGoalSchema } } }, async (req) => {
    const current = await loadGoal(req.actor, req.params, "write");
    const body = parseOrThrow(updateGoalSchema, req.body ?? {});
    return db.transaction().execute(async (trx) => {
      // One re-parenting per company at a time: two concurrent moves could otherwise close a loop together.
      if (body.parentId) await sql`select pg_advisory_xact_lock(hashtext(${`goals:${current.companyId}`}))`.execute(trx);
      await assertValidParent(trx, current.companyId, current.id, body.parentId);
      await assertValidOwner(trx, current.companyId, body.ownerAgentId);
      const row = await trx.updateTable("goals").set({ ...body, updatedAt: sql`now()` }).where("id", "=", current.id).returningAll().executeTakeFirstOrThrow();
      const changedKeys = Object.keys(body).filter((k) => JSON.stringify((current as Record<string, unknown>)[k]) !== JSON.stringify((row as Record<string, unknown>)[k])).sort();
      await logActivity(trx, { companyId: row.companyId, actor: actorRef(req.actor), action: "goal.updated", entityType: "goal", entityId: row.id, details: { changedKeys } });
      return row;
    });
  });

  app.delete("/api/goals/:id", { config: { openapi: { summary: "Delete a goal (sub-goals, projects and issues keep existing without it)", auth: "board (write) or agent of the company" } } }, async (req) => {
    const current = await loadGoal(req.actor, req.params, "write");
    return db.transaction().execute(async (trx) => {
      const row = await trx.deleteFrom("goals").where("id", "=", current.id).returningAll().executeTakeFirst();
      if (!row) throw notFound("Goal not found");
      await logActivity(trx, { companyId: row.companyId, actor: actorRef(req.actor), action: "goal.deleted", entityType: "goal", entityId: row.id, details: { title: row.title } });
      return row;
    });
  });
}
