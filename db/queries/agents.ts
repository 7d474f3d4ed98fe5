import type { Insertable } from "kysely";
import type { Db } from "../connection.js";
import type { AgentTable } from "../schema.js";

export function insertAgent(db: Db, values: Insertable<AgentTable>) {
  return db.insertInto("agents").values(values).returningAll().executeTakeFirstOrThrow();
}

export function getAgent(db: Db, id: string) {
  return db.selectFrom("agents").selectAll().where("id", "=", id).executeTakeFirst();
}

export function getAgentInCompany(db: Db, companyId: string, id: string) {
  return db.selectFrom("agents").selectAll().where("id", "=", id).where("companyId", "=", companyId).executeTakeFirst();
}

export function listAgents(db: Db, companyId: string) {
  return db.selectFrom("agents").selectAll().where("companyId", "=", companyId).orderBy("createdAt").execute();
}
