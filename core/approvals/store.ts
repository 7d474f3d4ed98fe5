/** Reads and link-table writes for approvals; status changes live in decisions.ts. */
import { sql } from "kysely";
import type { Db } from "../../db/connection.js";
import type { ApprovalStatus } from "../../db/schema.js";
import type { ActorRef } from "../auth/actor.js";
import type { Approval } from "./model.js";

export function getApproval(db: Db, id: string): Promise<Approval | undefined> {
  return db.selectFrom("approvals").selectAll().where("id", "=", id).executeTakeFirst();
}

export interface ApprovalListFilter {
  status?: ApprovalStatus | undefined;
  type?: string | undefined;
}

/** Open approvals first (what the board must act on), newest first within each group. */
export function listApprovals(db: Db, companyId: string, filter: ApprovalListFilter = {}): Promise<Approval[]> {
  let q = db.selectFrom("approvals").selectAll().where("companyId", "=", companyId);
  if (filter.status) q = q.where("status", "=", filter.status);
  if (filter.type) q = q.where("type", "=", filter.type);
  return q
    .orderBy(sql`case when status in ('pending', 'revision_requested') then 0 else 1 end`)
    .orderBy("createdAt", "desc")
    .orderBy("id")
    .execute();
}

/** Linked issue ids in link order: the first one is "the" issue a requester wake points at. */
export async function linkedIssueIds(db: Db, approvalId: string): Promise<string[]> {
  const rows = await db.selectFrom("issue_approvals").select("issueId").where("approvalId", "=", approvalId).orderBy("createdAt").orderBy("issueId").execute();
  return rows.map((r) => r.issueId);
}

export function listIssuesForApproval(db: Db, approvalId: string) {
  return db
    .selectFrom("issue_approvals as ia")
    .innerJoin("issues as i", "i.id", "ia.issueId")
    .selectAll("i")
    .where("ia.approvalId", "=", approvalId)
    .orderBy("ia.createdAt")
    .orderBy("i.id")
    .execute();
}

export function listApprovalsForIssue(db: Db, issueId: string): Promise<Approval[]> {
  return db
    .selectFrom("issue_approvals as ia")
    .innerJoin("approvals as a", "a.id", "ia.approvalId")
    .selectAll("a")
    .where("ia.issueId", "=", issueId)
    .orderBy("ia.createdAt")
    .orderBy("a.id")
    .execute();
}

/** Idempotent: linking twice keeps the first link. Returns the ids that were newly linked. */
export async function linkIssues(db: Db, companyId: string, approvalId: string, issueIds: readonly string[], by: ActorRef): Promise<string[]> {
  if (issueIds.length === 0) return [];
  const rows = await db
    .insertInto("issue_approvals")
    .values(
      issueIds.map((issueId, i) => ({
        // Distinct timestamps keep the caller's order: the first issue is the one a wake points at.
        createdAt: sql<Date>`now() + ${i} * interval '1 microsecond'`,
        companyId,
        issueId,
        approvalId,
        linkedByAgentId: by.agentId,
        linkedByUserId: by.actorType === "user" ? by.actorId : null,
      })),
    )
    .onConflict((oc) => oc.columns(["issueId", "approvalId"]).doNothing())
    .returning("issueId")
    .execute();
  return rows.map((r) => r.issueId);
}

export async function unlinkIssue(db: Db, issueId: string, approvalId: string): Promise<boolean> {
  const rows = await db.deleteFrom("issue_approvals").where("issueId", "=", issueId).where("approvalId", "=", approvalId).returning("issueId").execute();
  return rows.length > 0;
}

export function listComments(db: Db, approvalId: string) {
  return db.selectFrom("approval_comments").selectAll().where("approvalId", "=", approvalId).orderBy("createdAt").orderBy("id").execute();
}

/** The open `hire_agent` approval created for a pending agent, if there is one. */
export function findOpenHireApproval(db: Db, companyId: string, agentId: string): Promise<Approval | undefined> {
  return db
    .selectFrom("approvals")
    .selectAll()
    .where("companyId", "=", companyId)
    .where("type", "=", "hire_agent")
    .where("status", "in", ["pending", "revision_requested"])
    .where(sql<string>`payload->>'agentId'`, "=", agentId)
    .orderBy("createdAt", "desc")
    .executeTakeFirst();
}
