/**
 * The thing a budget policy is about (a company, an agent or a project): its name, whether it is
 * paused, and the database half of pausing or resuming it for budget. Workflows are not touched
 * here (see enforcement.ts): these writes run inside the caller's transaction.
 */
import { sql } from "kysely";
import type { Db } from "../../db/connection.js";
import type { BudgetScopeType } from "./spend.js";

export interface ScopeRecord {
  companyId: string;
  name: string;
  paused: boolean;
  pauseReason: string | null;
}

export interface ScopeRef {
  companyId: string;
  scopeType: string;
  scopeId: string;
}

/** The scope row, or null when it does not exist in that company (foreign ids look missing). */
export async function loadScope(db: Db, companyId: string, scopeType: string, scopeId: string): Promise<ScopeRecord | null> {
  if (scopeType === "company") {
    const row = await db.selectFrom("companies").select(["id", "name", "status", "pauseReason"]).where("id", "=", scopeId).executeTakeFirst();
    if (!row || row.id !== companyId) return null;
    return { companyId: row.id, name: row.name, paused: row.status === "paused", pauseReason: row.pauseReason };
  }
  if (scopeType === "agent") {
    const row = await db.selectFrom("agents").select(["companyId", "name", "status", "pauseReason"]).where("id", "=", scopeId).executeTakeFirst();
    if (!row || row.companyId !== companyId) return null;
    return { companyId: row.companyId, name: row.name, paused: row.status === "paused", pauseReason: row.pauseReason };
  }
  if (scopeType === "project") {
    const row = await db.selectFrom("projects").select(["companyId", "name", "pausedAt", "pauseReason"]).where("id", "=", scopeId).executeTakeFirst();
    if (!row || row.companyId !== companyId) return null;
    return { companyId: row.companyId, name: row.name, paused: row.pausedAt !== null, pauseReason: row.pauseReason };
  }
  return null;
}

/**
 * Hard stop, database half. Returns true when this call paused the scope (false: it already was).
 * An agent is paused only from a working state (never un-terminates, never overrides a pending hire).
 */
export async function pauseScopeForBudget(db: Db, scope: ScopeRef): Promise<boolean> {
  const stamp = { pauseReason: "budget", pausedAt: sql<Date>`now()`, updatedAt: sql<Date>`now()` };
  if (scope.scopeType === "agent") {
    const r = await db
      .updateTable("agents")
      .set({ status: "paused", ...stamp })
      .where("id", "=", scope.scopeId)
      .where("status", "in", ["active", "idle", "running", "error"])
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
  if (scope.scopeType === "project") {
    const r = await db.updateTable("projects").set(stamp).where("id", "=", scope.scopeId).where("pausedAt", "is", null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
  const r = await db.updateTable("companies").set({ status: "paused", ...stamp }).where("id", "=", scope.scopeId).where("status", "=", "active").executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Lifts a budget pause (and only a budget pause: a manual pause stays). Returns true when the scope
 * was resumed; the caller then resumes the workflows (enforcement.ts).
 */
export async function resumeScopeFromBudget(db: Db, scope: ScopeRef): Promise<boolean> {
  const clear = { pauseReason: null, pausedAt: null, updatedAt: sql<Date>`now()` };
  if (scope.scopeType === "agent") {
    const r = await db
      .updateTable("agents")
      .set({ status: "idle", ...clear })
      .where("id", "=", scope.scopeId)
      .where("status", "=", "paused")
      .where("pauseReason", "=", "budget")
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
  if (scope.scopeType === "project") {
    const r = await db.updateTable("projects").set(clear).where("id", "=", scope.scopeId).where("pauseReason", "=", "budget").executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
  const r = await db
    .updateTable("companies")
    .set({ status: "active", ...clear })
    .where("id", "=", scope.scopeId)
    .where("status", "=", "paused")
    .where("pauseReason", "=", "budget")
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export function isBudgetScopeType(v: string): v is BudgetScopeType {
  return v === "company" || v === "agent" || v === "project";
}
