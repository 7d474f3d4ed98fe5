/**
 * Permission rules beyond tenancy. Agents may hire (create agents) when they are the CEO or their
 * `permissions.canCreateAgents` is set (Paperclip's rule); board users need owner or admin.
 */
import type { Db } from "../../db/connection.js";
import { forbidden } from "../errors.js";
import type { Actor } from "./actor.js";
import { assertCompanyAccess } from "./authz.js";

export async function agentMayCreateAgents(db: Db, agentId: string): Promise<boolean> {
  const agent = await db.selectFrom("agents").select(["role", "permissions"]).where("id", "=", agentId).executeTakeFirst();
  if (!agent) return false;
  const perms = (agent.permissions ?? {}) as Record<string, unknown>;
  return agent.role === "ceo" || perms.canCreateAgents === true;
}

export async function assertMayCreateAgents(db: Db, actor: Actor, companyId: string): Promise<void> {
  if (actor.type === "agent") {
    assertCompanyAccess(actor, companyId, "write");
    if (!(await agentMayCreateAgents(db, actor.agentId))) throw forbidden("Missing permission: agents:create", { code: "permission_denied", permission: "agents:create" });
    return;
  }
  assertCompanyAccess(actor, companyId, "manage");
}
