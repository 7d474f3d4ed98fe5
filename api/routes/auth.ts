/**
 * Human sign-in for `authenticated` mode, at Better Auth's paths so Paperclip's board and CLI find
 * them: email + password sign-up / sign-in, sign-out, get-session. The first user of an instance
 * without an admin becomes instance admin (bootstrap); later sign-ups can be disabled by config.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { z } from "zod";
import { LOCAL_BOARD_USER_ID } from "../../core/auth/actor.js";
import { hashPassword, verifyPassword } from "../../core/auth/passwords.js";
import { generateToken, hashToken } from "../../core/auth/tokens.js";
import { conflict, forbidden, unauthorized } from "../../core/errors.js";
import type { Db } from "../../db/connection.js";
import { clearedSessionCookie, SESSION_TTL_SEC, sessionCookie } from "../auth/cookies.js";
import type { ApiDeps } from "../deps.js";
import { parseOrThrow } from "../validation.js";

export const signUpSchema = z
  .object({
    email: z.string().trim().toLowerCase().email().max(320),
    password: z.string().min(8, "password must have at least 8 characters").max(256),
    name: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export const signInSchema = z.object({ email: z.string().trim().toLowerCase().max(320), password: z.string().max(256) }).strict();

async function openSession(db: Db, userId: string, req: { ip: string; headers: Record<string, unknown> }) {
  const token = generateToken("sbs_");
  await db
    .insertInto("sessions")
    .values({
      id: randomUUID(),
      userId,
      tokenHash: hashToken(token),
      expiresAt: new Date(Date.now() + SESSION_TTL_SEC * 1000),
      ipAddress: req.ip,
      userAgent: typeof req.headers["user-agent"] === "string" ? req.headers["user-agent"].slice(0, 500) : null,
    })
    .execute();
  return token;
}

export function authRoutes(app: FastifyInstance, { db, config }: ApiDeps): void {
  const secureCookie = (config.auth.publicUrl ?? "").startsWith("https://");
  const requireAuthenticatedMode = () => {
    if (config.auth.deploymentMode !== "authenticated") throw conflict("Sign-in is not used in local_trusted mode: every loopback request is the board", { code: "local_trusted_mode" });
  };

  app.post("/api/auth/sign-up/email", { config: { openapi: { summary: "Sign up with email and password (authenticated mode)", auth: "public", body: signUpSchema } } }, async (req, reply) => {
    requireAuthenticatedMode();
    const body = parseOrThrow(signUpSchema, req.body ?? {});
    const user = await db.transaction().execute(async (trx) => {
      // Serialise sign-ups so exactly one first user becomes the bootstrap admin.
      await sql`select pg_advisory_xact_lock(hashtext('switchboard.sign-up'))`.execute(trx);
      const hasAdmin = await trx.selectFrom("instance_user_roles").select("id").where("role", "=", "instance_admin").where("userId", "!=", LOCAL_BOARD_USER_ID).executeTakeFirst();
      if (config.auth.disableSignUp && hasAdmin) throw forbidden("Sign-up is disabled on this instance", { code: "sign_up_disabled" });
      const taken = await trx.selectFrom("users").select("id").where(sql`lower(email)`, "=", body.email).executeTakeFirst();
      if (taken) throw conflict("An account with this email already exists", { code: "email_taken" });
      const created = await trx
        .insertInto("users")
        .values({ id: randomUUID(), email: body.email, name: body.name ?? body.email.split("@")[0]!, passwordHash: await hashPassword(body.password) })
        .returning(["id", "email", "name", "createdAt"])
        .executeTakeFirstOrThrow();
      if (!hasAdmin) await trx.insertInto("instance_user_roles").values({ userId: created.id, role: "instance_admin" }).execute();
      return { ...created, isInstanceAdmin: !hasAdmin };
    });
    const token = await openSession(db, user.id, req);
    return reply.status(201).header("set-cookie", sessionCookie(token, secureCookie)).send({ user, token });
  });

  app.post("/api/auth/sign-in/email", { config: { openapi: { summary: "Sign in with email and password (authenticated mode)", auth: "public", body: signInSchema } } }, async (req, reply) => {
    requireAuthenticatedMode();
    const body = parseOrThrow(signInSchema, req.body ?? {});
    const user = await db.selectFrom("users").select(["id", "email", "name", "passwordHash"]).where(sql`lower(email)`, "=", body.email).executeTakeFirst();
    // Same answer for an unknown email and a wrong password: no account probing.
    if (!user || !(await verifyPassword(body.password, user.passwordHash))) throw unauthorized("Invalid email or password");
    const token = await openSession(db, user.id, req);
    return reply.header("set-cookie", sessionCookie(token, secureCookie)).send({ user: { id: user.id, email: user.email, name: user.name }, token });
  });

  app.post("/api/auth/sign-out", { config: { openapi: { summary: "End the current session", auth: "any" } } }, async (req, reply) => {
    if (req.actor.type === "board" && req.actor.sessionId) await db.deleteFrom("sessions").where("id", "=", req.actor.sessionId).execute();
    return reply.header("set-cookie", clearedSessionCookie()).send({ ok: true });
  });

  app.get("/api/auth/get-session", { config: { openapi: { summary: "The caller's session, user and memberships (null when not a board user)", auth: "any" } } }, async (req) => {
    const actor = req.actor;
    if (actor.type !== "board") return null;
    const user = await db.selectFrom("users").select(["id", "email", "name"]).where("id", "=", actor.userId).executeTakeFirst();
    return {
      session: { id: actor.sessionId ?? null, userId: actor.userId, source: actor.source },
      user: user ?? { id: actor.userId, email: null, name: "Local board" },
      isInstanceAdmin: actor.source === "local_implicit" || actor.isInstanceAdmin,
      memberships: actor.memberships,
    };
  });
}
