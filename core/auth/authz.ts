/**
 * Authorization rules (Paperclip's authz helpers). Tenancy rule: a company — or any row of one —
 * the actor cannot see answers 404, exactly as a missing one would, so ids never leak across
 * companies. Inside a company: viewers read only, and "manage" actions (agents, keys, secrets,
 * budgets, approval decisions, members) need an owner or admin.
 */
import { forbidden, notFound, unauthorized } from "../errors.js";
import type { Actor, AgentActor, BoardActor, MembershipRole } from "./actor.js";

export type CompanyAccess = "read" | "write" | "manage";

export function assertAuthenticated(actor: Actor): asserts actor is BoardActor | AgentActor {
  if (actor.type === "none") throw unauthorized("Unauthorized");
}

export function assertBoard(actor: Actor): asserts actor is BoardActor {
  assertAuthenticated(actor);
  if (actor.type !== "board") throw forbidden("Board access required");
}

export function assertAgent(actor: Actor): asserts actor is AgentActor {
  if (actor.type !== "agent") throw unauthorized("Agent authentication required");
}

export function isInstanceAdmin(actor: Actor): boolean {
  return actor.type === "board" && (actor.source === "local_implicit" || actor.isInstanceAdmin);
}

export function assertInstanceAdmin(actor: Actor): asserts actor is BoardActor {
  assertBoard(actor);
  if (!isInstanceAdmin(actor)) throw forbidden("Instance admin access required");
}

export function boardRole(actor: BoardActor, companyId: string): MembershipRole | null {
  if (actor.source === "local_implicit") return "owner";
  return actor.memberships.find((m) => m.companyId === companyId)?.role ?? null;
}

/** True when the actor may see the company at all (agents: their own; board: a membership). */
export function canSeeCompany(actor: Actor, companyId: string): boolean {
  if (actor.type === "agent") return actor.companyId === companyId;
  if (actor.type === "board") return boardRole(actor, companyId) !== null;
  return false;
}

/**
 * The gate every company-scoped route passes. Agents may read and write in their own company (the
 * route then checks "as itself"); `manage` is board-only.
 */
export function assertCompanyAccess(actor: Actor, companyId: string, access: CompanyAccess = "read", what = "Company"): void {
  assertAuthenticated(actor);
  if (!canSeeCompany(actor, companyId)) throw notFound(`${what} not found`);
  if (access === "read") return;
  if (actor.type === "agent") {
    if (access === "manage") throw forbidden("Board access required");
    return;
  }
  const role = boardRole(actor, companyId);
  if (role === "viewer") throw forbidden("Viewer access is read-only");
  if (access === "manage" && role !== "owner" && role !== "admin") throw forbidden("Owner or admin access required");
}

/** For rows loaded by id: missing and foreign look the same. */
export function assertRowAccess<T extends { companyId: string }>(actor: Actor, row: T | undefined | null, what: string, access: CompanyAccess = "read"): T {
  assertAuthenticated(actor);
  if (!row || !canSeeCompany(actor, row.companyId)) throw notFound(`${what} not found`);
  assertCompanyAccess(actor, row.companyId, access, what);
  return row;
}

/** Agents act only as themselves (wake, checkout, cost reports ...). */
export function assertSelfOrBoard(actor: Actor, agentId: string, message: string): void {
  if (actor.type === "agent" && actor.agentId !== agentId) throw forbidden(message);
}
