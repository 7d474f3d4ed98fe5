/** Filing an approval and commenting on one: each insert commits with its activity row. */
import type { Db } from "../../db/connection.js";
import { logActivity, redactDetails } from "../activity-log.js";
import type { ActorRef } from "../auth/actor.js";
import type { Approval, ApprovalType } from "./model.js";
import { linkIssues } from "./store.js";

export interface NewApproval {
  companyId: string;
  type: ApprovalType;
  requestedByAgentId: string | null;
  payload: Record<string, unknown>;
  issueIds: string[];
  by: ActorRef;
}

export async function createApproval(db: Db, input: NewApproval): Promise<Approval> {
  return db.transaction().execute(async (trx) => {
    const approval = await trx
      .insertInto("approvals")
      .values({
        companyId: input.companyId,
        type: input.type,
        requestedByAgentId: input.requestedByAgentId,
        requestedByUserId: input.by.actorType === "user" ? input.by.actorId : null,
        payload: input.payload as never,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await linkIssues(trx, input.companyId, approval.id, input.issueIds, input.by);
    await logActivity(trx, { companyId: input.companyId, actor: input.by, action: "approval.created", entityType: "approval", entityId: approval.id, details: { type: approval.type, issueIds: input.issueIds } });
    return approval;
  });
}

export async function addApprovalComment(db: Db, approval: Pick<Approval, "id" | "companyId">, body: string, by: ActorRef) {
  return db.transaction().execute(async (trx) => {
    const comment = await trx
      .insertInto("approval_comments")
      .values({ companyId: approval.companyId, approvalId: approval.id, authorAgentId: by.agentId, authorUserId: by.actorType === "user" ? by.actorId : null, body })
      .returningAll()
      .executeTakeFirstOrThrow();
    await logActivity(trx, { companyId: approval.companyId, actor: by, action: "approval.comment_added", entityType: "approval", entityId: approval.id, details: { commentId: comment.id } });
    return comment;
  });
}

/** What callers see: payload values under secret-looking keys are masked (hire payloads carry adapter config). */
export function presentApproval<T extends Approval>(approval: T): T {
  return { ...approval, payload: redactDetails(approval.payload) as Approval["payload"] };
}
