/**
 * Comments on issues: `POST /issues/:id/comments` (board, or an agent from a run), with `reopen`
 * for closed issues, and the wakes a comment causes (assignee, @mentions — one wake per agent).
 */
import { sql } from "kysely";
import type { Db } from "../../db/connection.js";
import { getIssue, lockIssue, type IssueRow } from "../../db/queries/issues.js";
import type { Issue, IssueComment } from "../../db/schema.js";
import { logActivity } from "../activity-log.js";
import { actorRef, type Actor } from "../auth/actor.js";
import { notFound } from "../errors.js";
import { assertCheckoutOwner, requireRunId } from "./ownership.js";
import { CLEARED_LOCKS, CLOSED_STATUSES, statusTimestamps } from "./rules.js";
import { planCommentWakes, WakePlan, type IssueWake } from "./wakes.js";

/** Inserts the comment, touches the issue and logs `issue.comment_added` (caller's transaction). */
export async function insertComment(db: Db, actor: Actor, issue: Pick<Issue, "id" | "companyId" | "identifier">, body: string): Promise<IssueComment> {
  const comment = await db
    .insertInto("issue_comments")
    .values({
      companyId: issue.companyId,
      issueId: issue.id,
      authorAgentId: actor.type === "agent" ? actor.agentId : null,
      authorUserId: actor.type === "board" ? actor.userId : null,
      body,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await db.updateTable("issues").set({ updatedAt: sql`now()` }).where("id", "=", issue.id).execute();
  await logActivity(db, {
    companyId: issue.companyId,
    actor: actorRef(actor),
    action: "issue.comment_added",
    entityType: "issue",
    entityId: issue.id,
    details: { identifier: issue.identifier, commentId: comment.id, bodySnippet: body.slice(0, 120) },
  });
  return comment;
}

export interface AddCommentInput {
  body: string;
  reopen?: boolean | undefined;
}

export interface AddCommentResult {
  comment: IssueComment;
  issue: IssueRow;
  wakes: IssueWake[];
}

export async function addComment(db: Db, actor: Actor, issueId: string, input: AddCommentInput): Promise<AddCommentResult> {
  const plan = new WakePlan();
  const result = await db.transaction().execute(async (trx) => {
    let current = await lockIssue(trx, issueId);
    if (!current) throw notFound("Issue not found");
    if (actor.type === "agent") {
      requireRunId(actor);
      // Commenting on another agent's issue is how agents talk; only the agent's own checkout is guarded.
      if (current.assigneeAgentId === actor.agentId && current.status === "in_progress") current = await assertCheckoutOwner(trx, actor, current);
    }
    const reopened = input.reopen === true && CLOSED_STATUSES.has(current.status);
    if (reopened) {
      await trx
        .updateTable("issues")
        .set({ status: "todo", ...statusTimestamps(current.status, "todo"), ...CLEARED_LOCKS, updatedAt: sql`now()` })
        .where("id", "=", current.id)
        .execute();
      await logActivity(trx, {
        companyId: current.companyId,
        actor: actorRef(actor),
        action: "issue.updated",
        entityType: "issue",
        entityId: current.id,
        details: { identifier: current.identifier, changes: { status: { from: current.status, to: "todo" } }, reopened: true, source: "comment" },
      });
    }
    const comment = await insertComment(trx, actor, current, input.body);
    const issue = await getIssue(trx, current.id);
    if (!issue) throw notFound("Issue not found");
    await planCommentWakes(trx, plan, { issue, comment, reopened });
    return { comment, issue };
  });
  return { ...result, wakes: plan.list() };
}
