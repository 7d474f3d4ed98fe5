/**
 * The wake context an adapter receives, enriched at execution time with what agents need without an
 * extra API round trip: the issue the wake is about (`paperclipIssue`, `taskTitle`, `taskBody`) and
 * Paperclip's structured wake payload (`paperclipWake`, exported to processes as
 * PAPERCLIP_WAKE_PAYLOAD_JSON). Read in the run's company only; a missing issue adds nothing.
 */
import type { Db } from "../db/connection.js";
import { withDbRetry } from "./retry-db.js";

/** Long descriptions stay in the API; the env var and prompt carry a bounded excerpt. */
const BODY_EXCERPT_CHARS = 8000;

export async function enrichWakeContext(db: Db, companyId: string, context: Record<string, unknown>): Promise<Record<string, unknown>> {
  const issueId = typeof context.issueId === "string" ? context.issueId : typeof context.taskId === "string" ? context.taskId : null;
  const wake: Record<string, unknown> = {
    reason: typeof context.wakeReason === "string" ? context.wakeReason : null,
    source: typeof context.source === "string" ? context.source : null,
  };
  const commentId = typeof context.wakeCommentId === "string" ? context.wakeCommentId : typeof context.commentId === "string" ? context.commentId : null;
  if (commentId) wake.commentIds = [commentId];
  if (typeof context.approvalId === "string") wake.approval = { id: context.approvalId, status: context.approvalStatus ?? null };
  if (!issueId || !/^[0-9a-f-]{36}$/i.test(issueId)) return { ...context, paperclipWake: wake };

  const issue = await withDbRetry(() =>
    db
      .selectFrom("issues")
      .select(["id", "identifier", "title", "description", "status", "priority", "projectId", "parentId"])
      .where("id", "=", issueId)
      .where("companyId", "=", companyId)
      .executeTakeFirst(),
  );
  if (!issue) return { ...context, paperclipWake: wake };
  const description = issue.description ? issue.description.slice(0, BODY_EXCERPT_CHARS) : "";
  const summary = { id: issue.id, identifier: issue.identifier, title: issue.title, status: issue.status, priority: issue.priority, projectId: issue.projectId, parentId: issue.parentId };
  return {
    ...context,
    taskTitle: issue.title,
    taskBody: description,
    paperclipIssue: { ...summary, description },
    paperclipWake: { ...wake, issue: summary },
  };
}
