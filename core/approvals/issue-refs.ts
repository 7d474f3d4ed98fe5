/**
 * Issue references as callers write them: a UUID or an identifier such as `ABC-12` (any case).
 * Kept to a small query on `issues` so the approvals code does not depend on the issues module.
 */
import type { Db } from "../../db/connection.js";
import type { Actor } from "../auth/actor.js";
import { assertRowAccess, canSeeCompany, type CompanyAccess } from "../auth/authz.js";
import { notFound, unprocessable } from "../errors.js";
import { UUID_PATTERN } from "./model.js";

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9]*-\d+$/;

function issueQuery(db: Db, ref: string) {
  const q = db.selectFrom("issues").selectAll();
  if (UUID_PATTERN.test(ref)) return q.where("id", "=", ref);
  return q.where("identifier", "=", ref.toUpperCase());
}

export function isIssueRef(ref: string): boolean {
  return UUID_PATTERN.test(ref) || IDENTIFIER.test(ref);
}

/** The issue a route param names, or 404 (also for another company's issue). */
export async function loadIssueByRef(db: Db, actor: Actor, ref: string, access: CompanyAccess = "read") {
  if (!isIssueRef(ref)) throw notFound("Issue not found");
  const rows = await issueQuery(db, ref).execute();
  // Identifiers are unique per company and prefixes per instance; prefer the caller's row anyway.
  const row = rows.find((r) => canSeeCompany(actor, r.companyId)) ?? rows[0];
  return assertRowAccess(actor, row, "Issue", access);
}

/** Body-supplied issue references, resolved inside one company; an unknown one is a 422. */
export async function resolveIssueIds(db: Db, companyId: string, refs: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const ref of refs) {
    const row = isIssueRef(ref) ? await issueQuery(db, ref).where("companyId", "=", companyId).select("id as issueId").executeTakeFirst() : undefined;
    if (!row) throw unprocessable(`Issue ${ref} not found in this company`, { code: "unknown_issue", issue: ref });
    if (!ids.includes(row.issueId)) ids.push(row.issueId);
  }
  return ids;
}
