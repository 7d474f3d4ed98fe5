/** Lookups behind actor resolution: credentials by hash, a user's memberships and instance role. */
import { sql } from "kysely";
import type { Membership, MembershipRole } from "../../core/auth/actor.js";
import type { Db } from "../connection.js";

export async function loadBoardPrincipal(db: Db, userId: string): Promise<{ memberships: Membership[]; isInstanceAdmin: boolean }> {
  const [memberships, admin] = await Promise.all([
    db
      .selectFrom("company_memberships")
      .select(["companyId", "membershipRole"])
      .where("principalType", "=", "user")
      .where("principalId", "=", userId)
      .where("status", "=", "active")
      .execute(),
    db.selectFrom("instance_user_roles").select("id").where("userId", "=", userId).where("role", "=", "instance_admin").executeTakeFirst(),
  ]);
  return {
    // A legacy `member` role (or none) reads as operator: it may work issues but not manage the company.
    memberships: memberships.map((m) => ({ companyId: m.companyId, role: normaliseRole(m.membershipRole) })),
    isInstanceAdmin: Boolean(admin),
  };
}

function normaliseRole(role: string | null): MembershipRole {
  return role === "owner" || role === "admin" || role === "viewer" || role === "operator" ? role : "operator";
}

export function findSessionByHash(db: Db, tokenHash: string) {
  return db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.userId")
    .select(["sessions.id as sessionId", "sessions.userId", "users.email", "users.name", "sessions.expiresAt"])
    .where("sessions.tokenHash", "=", tokenHash)
    .where("sessions.expiresAt", ">", sql<Date>`now()`)
    .executeTakeFirst();
}

export function findBoardKeyByHash(db: Db, keyHash: string) {
  return db
    .selectFrom("board_api_keys")
    .select(["id", "userId", "lastUsedAt"])
    .where("keyHash", "=", keyHash)
    .where("revokedAt", "is", null)
    .where((eb) => eb.or([eb("expiresAt", "is", null), eb("expiresAt", ">", sql<Date>`now()`)]))
    .executeTakeFirst();
}

export function findAgentKeyByHash(db: Db, keyHash: string) {
  return db
    .selectFrom("agent_api_keys")
    .innerJoin("agents", "agents.id", "agent_api_keys.agentId")
    .select(["agent_api_keys.id as keyId", "agent_api_keys.agentId", "agents.companyId", "agents.status as agentStatus", "agent_api_keys.lastUsedAt"])
    .where("agent_api_keys.keyHash", "=", keyHash)
    .where("agent_api_keys.revokedAt", "is", null)
    .executeTakeFirst();
}

/** The run a token names, with its agent: a token is good only while both are. */
export function findRunForToken(db: Db, runId: string) {
  return db
    .selectFrom("heartbeat_runs")
    .innerJoin("agents", "agents.id", "heartbeat_runs.agentId")
    .select(["heartbeat_runs.status", "heartbeat_runs.agentId", "heartbeat_runs.companyId", "agents.status as agentStatus"])
    .where("heartbeat_runs.id", "=", runId)
    .executeTakeFirst();
}

/** last_used_at is written at most once a minute per credential: the hot path stays read-only. */
export async function touchLastUsed(db: Db, table: "agent_api_keys" | "board_api_keys", id: string, lastUsedAt: Date | null): Promise<void> {
  if (lastUsedAt && Date.now() - lastUsedAt.getTime() < 60_000) return;
  await db.updateTable(table).set({ lastUsedAt: sql`now()` }).where("id", "=", id).execute();
}
