/**
 * Companies: create (instance admins; the creator becomes owner), list (the caller's companies),
 * get, update, archive. The issue prefix is derived from the name and unique.
 */
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { z } from "zod";
import { actorRef, LOCAL_BOARD_USER_ID } from "../../core/auth/actor.js";
import { assertBoard, assertCompanyAccess, assertInstanceAdmin } from "../../core/auth/authz.js";
import { logActivity } from "../../core/activity-log.js";
import { upsertBudgetPolicy } from "../../core/budgets/policy-upsert.js";
import { notFound } from "../../core/errors.js";
import { getCompany, insertCompany } from "../../db/queries/companies.js";
import type { ApiDeps } from "../deps.js";
import { idParam, parseOrThrow } from "../validation.js";

export const createCompanySchema = z
  .object({
    name: z.string().trim().min(1, "name is required").max(200),
    description: z.string().max(10_000).nullish(),
    budgetMonthlyCents: z.number().int().min(0).max(2_147_483_647).default(0),
    requireBoardApprovalForNewAgents: z.boolean().default(false),
    brandColor: z.string().max(32).nullish(),
  })
  .strict();

export const updateCompanySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(10_000).nullable(),
    requireBoardApprovalForNewAgents: z.boolean(),
    brandColor: z.string().max(32).nullable(),
  })
  .partial()
  .strict();

const companyId = idParam("companyId", "Company not found");

export function companyRoutes(app: FastifyInstance, { db }: ApiDeps): void {
  app.get("/api/companies", { config: { openapi: { summary: "List the companies the caller belongs to", auth: "board" } } }, async (req) => {
    const actor = req.actor;
    assertBoard(actor);
    let q = db.selectFrom("companies").selectAll().orderBy("createdAt");
    // Instance admins see only companies they belong to, like Paperclip; local_trusted sees all.
    if (actor.source !== "local_implicit") {
      const ids = actor.memberships.map((m) => m.companyId);
      if (ids.length === 0) return [];
      q = q.where("id", "in", ids);
    }
    return q.execute();
  });

  app.post("/api/companies", { config: { openapi: { summary: "Create a company (the creator becomes owner)", auth: "board (instance admin)", body: createCompanySchema } } }, async (req, reply) => {
    const actor = req.actor;
    assertInstanceAdmin(actor);
    const body = parseOrThrow(createCompanySchema, req.body ?? {});
    const company = await db.transaction().execute(async (trx) => {
      const created = await insertCompany(trx, {
        name: body.name,
        description: body.description ?? null,
        budgetMonthlyCents: body.budgetMonthlyCents,
        requireBoardApprovalForNewAgents: body.requireBoardApprovalForNewAgents,
        brandColor: body.brandColor ?? null,
      });
      if (actor.userId !== LOCAL_BOARD_USER_ID || actor.source !== "local_implicit") {
        await trx.insertInto("company_memberships").values({ companyId: created.id, principalType: "user", principalId: actor.userId, status: "active", membershipRole: "owner" }).execute();
      }
      if (body.budgetMonthlyCents > 0) {
        await upsertBudgetPolicy(trx, created.id, { scopeType: "company", scopeId: created.id, amount: body.budgetMonthlyCents, windowKind: "calendar_month_utc" }, actorRef(actor));
      }
      await logActivity(trx, { companyId: created.id, actor: actorRef(actor), action: "company.created", entityType: "company", entityId: created.id, details: { name: created.name, issuePrefix: created.issuePrefix } });
      return created;
    });
    return reply.status(201).send(company);
  });

  app.get("/api/companies/:companyId", { config: { openapi: { summary: "Get a company", auth: "board or agent of the company" } } }, async (req) => {
    const id = companyId(req.params);
    assertCompanyAccess(req.actor, id);
    const company = await getCompany(db, id);
    if (!company) throw notFound("Company not found");
    return company;
  });

  app.patch("/api/companies/:companyId", { config: { openapi: { summary: "Update a company", auth: "board (owner/admin)", body: updateCompanySchema } } }, async (req) => {
    const id = companyId(req.params);
    assertBoard(req.actor);
    assertCompanyAccess(req.actor, id, "manage");
    const body = parseOrThrow(updateCompanySchema, req.body ?? {});
    return db.transaction().execute(async (trx) => {
      const updated = await trx.updateTable("companies").set({ ...body, updatedAt: sql`now()` }).where("id", "=", id).returningAll().executeTakeFirst();
      if (!updated) throw notFound("Company not found");
      await logActivity(trx, { companyId: id, actor: actorRef(req.actor), action: "company.updated", entityType: "company", entityId: id, details: { changedKeys: Object.keys(body) } });
      return updated;
    });
  });

  app.post("/api/companies/:companyId/archive", { config: { openapi: { summary: "Archive a company", auth: "board (owner/admin)" } } }, async (req) => {
    const id = companyId(req.params);
    assertBoard(req.actor);
    assertCompanyAccess(req.actor, id, "manage");
    return db.transaction().execute(async (trx) => {
      const updated = await trx.updateTable("companies").set({ status: "archived", updatedAt: sql`now()` }).where("id", "=", id).returningAll().executeTakeFirst();
      if (!updated) throw notFound("Company not found");
      await logActivity(trx, { companyId: id, actor: actorRef(req.actor), action: "company.archived", entityType: "company", entityId: id });
      return updated;
    });
  });
}
