/**
 * People and credentials around companies: members and their roles, board API keys for scripts and
 * the CLI, and instance-admin promotion. Tokens are returned once and stored as SHA-256 digests.
 */
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { z } from "zod";
import { actorRef, MEMBERSHIP_ROLES, type MembershipRole } from "../../core/auth/actor.js";
import { assertBoard, assertCompanyAccess, assertInstanceAdmin } from "../../core/auth/authz.js";
import { BOARD_KEY_PREFIX, generateToken, hashToken } from "../../core/auth/tokens.js";
import { logActivity } from "../../core/activity-log.js";
import { conflict, notFound, unprocessable } from "../../core/errors.js";
import type { ApiDeps } from "../deps.js";
import { idParam, parseOrThrow } from "../validation.js";

const BOARD_KEY_TTL_DAYS = 30;
const role = z.enum(MEMBERSHIP_ROLES as [MembershipRole, ...MembershipRole[]]);
export const addMemberSchema = z
  .object({ userId: z.string().min(1).max(200).optional(), email: z.string().trim().toLowerCase().email().max(320).optional(), role: role.default("operator") })
  .strict()
  .refine((b) => Boolean(b.userId) !== Boolean(b.email), { message: "give exactly one of userId or email" });
export const updateMemberSchema = z.object({ role }).strict();
export const createBoardKeySchema = z.object({ name: z.string().trim().min(1).max(200).default("board key"), expiresInDays: z.number().int().min(1).max(365).default(BOARD_KEY_TTL_DAYS) }).strict();

const companyId = idParam("companyId", "Company not found");
const memberId = idParam("memberId", "Member not found");
const keyId = idParam("keyId", "Board API key not found");

export function accessRoutes(app: FastifyInstance, { db }: ApiDeps): void {
  app.get("/api/companies/:companyId/members", { config: { openapi: { summary: "List a company's members", auth: "board" } } }, async (req) => {
    const cid = companyId(req.params);
    assertBoard(req.actor);
    assertCompanyAccess(req.actor, cid);
    return db
      .selectFrom("company_memberships")
      .leftJoin("users", "users.id", "company_memberships.principalId")
      .select(["company_memberships.id", "company_memberships.companyId", "company_memberships.principalId as userId", "company_memberships.membershipRole as role", "company_memberships.status", "users.email", "users.name", "company_memberships.createdAt"])
      .where("company_memberships.companyId", "=", cid)
      .where("company_memberships.principalType", "=", "user")
      .orderBy("company_memberships.createdAt")
      .execute();
  });

  app.post("/api/companies/:companyId/members", { config: { openapi: { summary: "Add a signed-up user as a member", auth: "board (owner/admin)", body: addMemberSchema } } }, async (req, reply) => {
    const cid = companyId(req.params);
    assertBoard(req.actor);
    assertCompanyAccess(req.actor, cid, "manage");
    const body = parseOrThrow(addMemberSchema, req.body ?? {});
    const user = await db
      .selectFrom("users")
      .select(["id", "email"])
      .$if(Boolean(body.userId), (q) => q.where("id", "=", body.userId!))
      .$if(Boolean(body.email), (q) => q.where(sql`lower(email)`, "=", body.email!))
      .executeTakeFirst();
    if (!user) throw unprocessable("No user with that id or email; they must sign up first", { code: "user_not_found" });
    const member = await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto("company_memberships")
        .values({ companyId: cid, principalType: "user", principalId: user.id, status: "active", membershipRole: body.role })
        .onConflict((oc) => oc.columns(["companyId", "principalType", "principalId"]).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) throw conflict("User is already a member of this company", { code: "already_member" });
      await logActivity(trx, { companyId: cid, actor: actorRef(req.actor), action: "member.added", entityType: "membership", entityId: row.id, details: { userId: user.id, role: body.role } });
      return { id: row.id, companyId: cid, userId: user.id, role: row.membershipRole, status: row.status };
    });
    // Answered after the commit: a request right after the 201 sees the membership.
    return reply.status(201).send(member);
  });

  app.patch("/api/companies/:companyId/members/:memberId", { config: { openapi: { summary: "Change a member's role", auth: "board (owner/admin)", body: updateMemberSchema } } }, async (req) => {
    const cid = companyId(req.params);
    const mid = memberId(req.params);
    assertBoard(req.actor);
    assertCompanyAccess(req.actor, cid, "manage");
    const body = parseOrThrow(updateMemberSchema, req.body ?? {});
    return db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom("company_memberships").select("membershipRole").where("id", "=", mid).where("companyId", "=", cid).forUpdate().executeTakeFirst();
      if (!before) throw notFound("Member not found");
      const row = await trx.updateTable("company_memberships").set({ membershipRole: body.role, updatedAt: sql`now()` }).where("id", "=", mid).returningAll().executeTakeFirstOrThrow();
      if (before.membershipRole === "owner") await assertOwnerRemains(trx, cid);
      await logActivity(trx, { companyId: cid, actor: actorRef(req.actor), action: "member.role_updated", entityType: "membership", entityId: mid, details: { userId: row.principalId, role: body.role } });
      return { id: row.id, companyId: cid, userId: row.principalId, role: row.membershipRole, status: row.status };
    });
  });

  app.delete("/api/companies/:companyId/members/:memberId", { config: { openapi: { summary: "Remove a member", auth: "board (owner/admin)" } } }, async (req) => {
    const cid = companyId(req.params);
    const mid = memberId(req.params);
    assertBoard(req.actor);
    assertCompanyAccess(req.actor, cid, "manage");
    return db.transaction().execute(async (trx) => {
      const row = await trx.deleteFrom("company_memberships").where("id", "=", mid).where("companyId", "=", cid).returningAll().executeTakeFirst();
      if (!row) throw notFound("Member not found");
      if (row.membershipRole === "owner") await assertOwnerRemains(trx, cid);
      await logActivity(trx, { companyId: cid, actor: actorRef(req.actor), action: "member.removed", entityType: "membership", entityId: mid, details: { userId: row.principalId } });
      return { ok: true };
    });
  });

  // ------------------------------------------------------------ board API keys (per user)
  app.get("/api/board-api-keys", { config: { openapi: { summary: "List the caller's board API keys (no tokens)", auth: "board" } } }, async (req) => {
    assertBoard(req.actor);
    return db.selectFrom("board_api_keys").select(["id", "name", "createdAt", "expiresAt", "lastUsedAt", "revokedAt"]).where("userId", "=", req.actor.userId).orderBy("createdAt", "desc").execute();
  });

  app.post("/api/board-api-keys", { config: { openapi: { summary: "Create a board API key (the token is returned once)", auth: "board", body: createBoardKeySchema } } }, async (req, reply) => {
    const actor = req.actor;
    assertBoard(actor);
    const body = parseOrThrow(createBoardKeySchema, req.body ?? {});
    await db.insertInto("users").values({ id: actor.userId, name: "Local board", email: `${actor.userId}@localhost` }).onConflict((oc) => oc.column("id").doNothing()).execute();
    const token = generateToken(BOARD_KEY_PREFIX);
    const row = await db
      .insertInto("board_api_keys")
      .values({ userId: actor.userId, name: body.name, keyHash: hashToken(token), expiresAt: new Date(Date.now() + body.expiresInDays * 86_400_000) })
      .returning(["id", "name", "createdAt", "expiresAt"])
      .executeTakeFirstOrThrow();
    return reply.status(201).send({ ...row, token });
  });

  app.delete("/api/board-api-keys/:keyId", { config: { openapi: { summary: "Revoke one of the caller's board API keys", auth: "board" } } }, async (req) => {
    assertBoard(req.actor);
    const row = await db.updateTable("board_api_keys").set({ revokedAt: sql`coalesce(revoked_at, now())` }).where("id", "=", keyId(req.params)).where("userId", "=", req.actor.userId).returning(["id", "revokedAt"]).executeTakeFirst();
    if (!row) throw notFound("Board API key not found");
    return { ok: true, ...row };
  });

  // ------------------------------------------------------------ instance admins
  for (const [action, promote] of [["promote-instance-admin", true], ["demote-instance-admin", false]] as const) {
    app.post(`/api/admin/users/:userId/${action}`, { config: { openapi: { summary: promote ? "Make a user an instance admin" : "Remove a user's instance-admin role", auth: "board (instance admin)" } } }, async (req) => {
      assertInstanceAdmin(req.actor);
      const userId = String((req.params as { userId: string }).userId).slice(0, 200);
      const user = await db.selectFrom("users").select("id").where("id", "=", userId).executeTakeFirst();
      if (!user) throw notFound("User not found");
      if (promote) {
        await db.insertInto("instance_user_roles").values({ userId, role: "instance_admin" }).onConflict((oc) => oc.columns(["userId", "role"]).doNothing()).execute();
      } else {
        const admins = await db.selectFrom("instance_user_roles").select(sql<number>`count(*)::int`.as("n")).where("role", "=", "instance_admin").executeTakeFirstOrThrow();
        if (admins.n <= 1) throw conflict("Cannot demote the last instance admin", { code: "last_instance_admin" });
        await db.deleteFrom("instance_user_roles").where("userId", "=", userId).where("role", "=", "instance_admin").execute();
      }
      return { userId, isInstanceAdmin: promote };
    });
  }
}

/** A company always keeps one owner: the last one cannot be demoted or removed. */
async function assertOwnerRemains(trx: Parameters<typeof logActivity>[0], cid: string): Promise<void> {
  const owners = await trx.selectFrom("company_memberships").select(sql<number>`count(*)::int`.as("n")).where("companyId", "=", cid).where("membershipRole", "=", "owner").where("status", "=", "active").executeTakeFirstOrThrow();
  if (owners.n === 0) throw conflict("A company needs at least one owner", { code: "last_owner" });
}
