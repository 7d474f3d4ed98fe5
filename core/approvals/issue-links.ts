/** Linking approvals to issues from the issue side; a link that changes nothing logs nothing. */
import type { Db } from "../../db/connection.js";
import { logActivity } from "../activity-log.js";
import type { ActorRef } from "../auth/actor.js";
import { linkIssues, unlinkIssue } from "./store.js";

interface IssueRef {
  id: string;
  companyId: string;
}

export async function linkApprovalToIssue(db: Db, issue: IssueRef, approvalId: string, by: ActorRef): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const added = await linkIssues(trx, issue.companyId, approvalId, [issue.id], by);
    if (added.length === 0) return false;
    await logActivity(trx, { companyId: issue.companyId, actor: by, action: "issue.approval_linked", entityType: "issue", entityId: issue.id, details: { approvalId } });
    return true;
  });
}

export async function unlinkApprovalFromIssue(db: Db, issue: IssueRef, approvalId: string, by: ActorRef): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const removed = await unlinkIssue(trx, issue.id, approvalId);
    if (!removed) return false;
    await logActivity(trx, { companyId: issue.companyId, actor: by, action: "issue.approval_unlinked", entityType: "issue", entityId: issue.id, details: { approvalId } });
    return true;
  });
}
