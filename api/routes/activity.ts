/**
 * The activity log API (Paperclip §7.4): newest-first listing per company (filters + keyset cursor),
 * per issue, and a board route that appends an entry for scripts. Rows are immutable: there is no
 * update or delete route, and entries written here go through the same `logActivity` (redaction,
 * live `activity.logged` event) as every other mutation.
 */
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { z } from "zod";
import { logActivity } from "../../core/activity-log.js";
import { actorRef, type Actor } from "../../core/auth/actor.js";
import { assertAuthenticated, assertBoard, assertCompanyAccess, assertRowAccess, canSeeCompany } from "../../core/auth/authz.js";
import { badRequest, notFound } from "../../core/errors.js";
import type { Db } from "../../db/connection.js";
import { getCompany } from "../../db/queries/companies.js";
import type { ApiDeps } from "../deps.js";
import { idParam, parseOrThrow, uuid } from "../validation.js";

const MAX_DETAILS_BYTES = 64 * 1024;

/** Parses as a date Postgres can compare with (years 1–9999); anything else is a 400, not a 500. */
function isStorableTime(v: string): boolean {
  const t = Date.parse(v);
  if (Number.isNaN(t)) return false;
  const year = new Date(t).getUTCFullYear();
  return year >= 1 && year <= 9999;
}

const pageFields = {
  limit: z.coerce.number().int().min(1, "limit must be between 1 and 500").max(500, "limit must be between 1 and 500").default(100),
  /** An activity id (exact keyset cursor, preferred) or an ISO timestamp: only older entries. */
  before: z
    .string()
    .min(1)
    .refine((v) => uuid.safeParse(v).success || isStorableTime(v), "before must be an activity id or an ISO timestamp")
    .optional(),
};

export const activityListQuery = z.object({
  agentId: z.string().uuid("agentId must be an agent id").optional(),
  entityType: z.string().min(1).max(100).optional(),
  entityId: z.string().min(1).max(200).optional(),
  action: z.string().min(1).max(200).optional(),
  ...pageFields,
});

export const issueActivityQuery = z.object(pageFields);

export const createActivitySchema = z
  .object({
    action: z.string().trim().min(1, "action is required").max(200),
    entityType: z.string().trim().min(1, "entityType is required").max(100),
    entityId: z.string().trim().min(1, "entityId is required").max(200),
    details: z
      .record(z.string(), z.unknown())
      .refine((d) => Buffer.byteLength(JSON.stringify(d), "utf8") <= MAX_DETAILS_BYTES, `details must be at most ${MAX_DETAILS_BYTES} bytes of JSON`)
      .nullish(),
  })
  .strict();

type ActivityFilter = Omit<z.infer<typeof activityListQuery>, "limit" | "before">;

const companyId = idParam("companyId", "Company not found");

async function listActivity(db: Db, cid: string, filter: ActivityFilter, page: { limit: number; before?: string | undefined }) {
  let q = db.selectFrom("activity_log").selectAll().where("companyId", "=", cid);
  if (filter.agentId) q = q.where("agentId", "=", filter.agentId);
  if (filter.entityType) q = q.where("entityType", "=", filter.entityType);
  if (filter.entityId) q = q.where("entityId", "=", filter.entityId);
  if (filter.action) q = q.where("action", "=", filter.action);
  if (page.before && uuid.safeParse(page.before).success) {
    const cursor = await db.selectFrom("activity_log").select(["id", "createdAt"]).where("id", "=", page.before).where("companyId", "=", cid).executeTakeFirst();
    if (!cursor) throw badRequest("before: no activity entry with that id in this company", { code: "invalid_cursor" });
    q = q.where(sql<boolean>`(activity_log.created_at, activity_log.id) < (${cursor.createdAt}, ${cursor.id}::uuid)`);
  } else if (page.before) {
    q = q.where("createdAt", "<", new Date(page.before));
  }
  return q.orderBy("createdAt", "desc").orderBy("id", "desc").limit(page.limit).execute();
}

/** An issue by id or identifier (`PAP-12`), as the actor may see it; anything else is a 404. */
async function findVisibleIssue(db: Db, actor: Actor, ref: unknown) {
  assertAuthenticated(actor);
  if (typeof ref !== "string" || ref.length === 0 || ref.length > 100) throw notFound("Issue not found");
  const rows = await db
    .selectFrom("issues")
    .select(["id", "companyId", "identifier"])
    .$if(uuid.safeParse(ref).success, (q) => q.where("id", "=", ref))
    .$if(!uuid.safeParse(ref).success, (q) => q.where("identifier", "=", ref.toUpperCase()))
    .limit(5)
    .execute();
  return assertRowAccess(actor, rows.find((r) => canSeeCompany(actor, r.companyId)), "Issue");
}

export function activityRoutes(app: FastifyInstance, { db }: ApiDeps): void {
  app.get(
    "/api/companies/:companyId/activity",
    { config: { openapi: { summary: "List a company's activity, newest first (filters; `before` = id or ISO cursor)", auth: "board or agent of the company", query: activityListQuery } } },
    async (req) => {
      const cid = companyId(req.params);
      assertCompanyAccess(req.actor, cid, "read");
      const { limit, before, ...filter } = parseOrThrow(activityListQuery, req.query ?? {});
      if (!(await getCompany(db, cid))) throw notFound("Company not found");
      return listActivity(db, cid, filter, { limit, before });
    },
  );

  app.get(
    "/api/issues/:id/activity",
    { config: { openapi: { summary: "List an issue's activity, newest first (id or identifier)", auth: "board or agent of the company", query: issueActivityQuery } } },
    async (req) => {
      const issue = await findVisibleIssue(db, req.actor, (req.params as { id?: unknown }).id);
      const page = parseOrThrow(issueActivityQuery, req.query ?? {});
      return listActivity(db, issue.companyId, { entityType: "issue", entityId: issue.id }, page);
    },
  );

  app.post(
    "/api/companies/:companyId/activity",
    { config: { openapi: { summary: "Append an activity entry (board scripts); entries are immutable", auth: "board (member with write access)", body: createActivitySchema } } },
    async (req, reply) => {
      const cid = companyId(req.params);
      assertCompanyAccess(req.actor, cid, "write");
      assertBoard(req.actor);
      const body = parseOrThrow(createActivitySchema, req.body ?? {});
      if (!(await getCompany(db, cid))) throw notFound("Company not found");
      const actor = actorRef(req.actor);
      // One transaction: the row and its live event (NOTIFY fires on commit) go together.
      const row = await db.transaction().execute((trx) =>
        logActivity(trx, { companyId: cid, actor, action: body.action, entityType: body.entityType, entityId: body.entityId, details: body.details ?? null }),
      );
      return reply.status(201).send(row);
    },
  );
}
