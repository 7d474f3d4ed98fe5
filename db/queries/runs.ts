import type { Db } from "../connection.js";

export function getRun(db: Db, id: string) {
  return db.selectFrom("heartbeat_runs").selectAll().where("id", "=", id).executeTakeFirst();
}

export function listRuns(db: Db, companyId: string, opts: { agentId?: string | undefined; limit: number }) {
  let q = db.selectFrom("heartbeat_runs").selectAll().where("companyId", "=", companyId);
  if (opts.agentId) q = q.where("agentId", "=", opts.agentId);
  return q.orderBy("createdAt", "desc").limit(opts.limit).execute();
}
