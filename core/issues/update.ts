/**
 * PATCH of an issue (Paperclip §4.3): field changes with their status side effects, an optional
 * comment in the same transaction, `reopen` for closed issues, agent ownership (§4.5), and the
 * wakes the change causes (reassignment, leaving backlog, the comment's wakes).
 */
import { sql } from "kysely";
import type { Db } from "../../db/connection.js";
import { getIssue, lockIssue, type IssueRow } from "../../db/queries/issues.js";
import type { Issue, IssueComment, IssueStatus } from "../../db/schema.js";
import { logActivity } from "../activity-log.js";
import { actorRef, type Actor } from "../auth/actor.js";
import { notFound } from "../errors.js";
import type { CreateIssueInput } from "./create.js";
import { insertComment } from "./comments.js";
import { assertAgentMayMutateIssue } from "./ownership.js";
import { assertIssueReferences, replaceLabels } from "./references.js";
import { assertAssigneeRules, CLEARED_LOCKS, CLOSED_STATUSES, statusTimestamps } from "./rules.js";
import { assignmentWake, planChildrenCompletedWake, planCommentWakes, statusChangeWake, WakePlan, type IssueWake } from "./wakes.js";

export interface UpdateIssueInput extends Partial<CreateIssueInput> {
  comment?: string | undefined;
  reopen?: boolean | undefined;
}

export interface UpdateIssueResult {
  issue: IssueRow;
  comment: IssueComment | null;
  wakes: IssueWake[];
}

/** Plain columns a PATCH may set (labels and the comment are handled on their own). */
const FIELDS = ["title", "description", "status", "priority", "projectId", "goalId", "parentId", "assigneeAgentId", "assigneeUserId", "billingCode", "requestDepth"] as const;
type Field = (typeof FIELDS)[number];

function changedFields(current: Issue, next: Partial<Record<Field, unknown>>): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of FIELDS) {
    if (next[field] === undefined) continue;
    if ((current[field] ?? null) !== (next[field] ?? null)) changes[field] = { from: current[field] ?? null, to: next[field] ?? null };
  }
  return changes;
}

export async function updateIssue(db: Db, actor: Actor, issueId: string, input: UpdateIssueInput): Promise<UpdateIssueResult> {
  const plan = new WakePlan();
  const result = await db.transaction().execute(async (trx) => {
    let current = await lockIssue(trx, issueId);
    if (!current) throw notFound("Issue not found");
    if (actor.type === "agent") current = await assertAgentMayMutateIssue(trx, actor, current);

    const fields: Partial<Record<Field, unknown>> = {};
    for (const field of FIELDS) if (input[field] !== undefined) fields[field] = input[field];
    // `reopen` moves a closed issue back to todo unless the caller names a status itself.
    const reopened = input.reopen === true && input.status === undefined && CLOSED_STATUSES.has(current.status);
    if (reopened) fields.status = "todo";

    const changes = changedFields(current, fields);
    const nextStatus = (fields.status as IssueStatus | undefined) ?? current.status;
    const nextAgent = fields.assigneeAgentId !== undefined ? (fields.assigneeAgentId as string | null) : current.assigneeAgentId;
    const nextUser = fields.assigneeUserId !== undefined ? (fields.assigneeUserId as string | null) : current.assigneeUserId;
    assertAssigneeRules({ status: nextStatus, assigneeAgentId: nextAgent, assigneeUserId: nextUser });
    await assertIssueReferences(trx, current.companyId, current.id, {
      assigneeAgentId: changes.assigneeAgentId ? nextAgent : undefined,
      parentId: changes.parentId ? (fields.parentId as string | null) : undefined,
      projectId: changes.projectId ? (fields.projectId as string | null) : undefined,
      goalId: changes.goalId ? (fields.goalId as string | null) : undefined,
      labelIds: input.labelIds,
    });

    const assigneeChanged = "assigneeAgentId" in changes || "assigneeUserId" in changes;
    // Any status other than in_progress, and any reassignment, frees the checkout and execution locks.
    const clearsLocks = assigneeChanged || (fields.status !== undefined && nextStatus !== "in_progress");
    const holdsLocks = Boolean(current.checkoutRunId || current.executionRunId);
    // A PATCH that changes nothing writes nothing (and logs nothing).
    const writes = Object.keys(changes).length > 0 || input.labelIds !== undefined || (clearsLocks && holdsLocks);
    if (writes) {
      await trx
        .updateTable("issues")
        .set({
          ...(fields as Record<string, never>),
          ...statusTimestamps(current.status, nextStatus),
          ...(clearsLocks ? CLEARED_LOCKS : {}),
          updatedAt: sql`now()`,
        })
        .where("id", "=", current.id)
        .execute();
    }
    if (input.labelIds !== undefined) await replaceLabels(trx, current.companyId, current.id, input.labelIds);

    if (writes) {
      await logActivity(trx, {
        companyId: current.companyId,
        actor: actorRef(actor),
        action: "issue.updated",
        entityType: "issue",
        entityId: current.id,
        details: { identifier: current.identifier, changes, ...(input.labelIds !== undefined ? { labelIds: input.labelIds } : {}), ...(reopened ? { reopened: true } : {}) },
      });
    }
    const comment = input.comment !== undefined ? await insertComment(trx, actor, current, input.comment) : null;
    const issue = await getIssue(trx, current.id);
    if (!issue) throw notFound("Issue not found");

    if (nextAgent && assigneeChanged && nextAgent !== current.assigneeAgentId && nextStatus !== "backlog") {
      plan.add(assignmentWake(nextAgent, issue.id, "issue_assigned", "update"));
    } else if (nextAgent && !assigneeChanged && current.status === "backlog" && nextStatus !== "backlog") {
      plan.add(statusChangeWake(nextAgent, issue.id, current.status, nextStatus));
    }
    if (comment) await planCommentWakes(trx, plan, { issue, comment, reopened: reopened || (input.reopen === true && CLOSED_STATUSES.has(current.status) && !CLOSED_STATUSES.has(nextStatus)) });
    if (!CLOSED_STATUSES.has(current.status) && CLOSED_STATUSES.has(issue.status)) {
      await planChildrenCompletedWake(trx, plan, issue, actor.type === "agent" ? actor.agentId : null);
    }
    return { issue, comment };
  });
  return { ...result, wakes: plan.list() };
}
