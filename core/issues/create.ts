/**
 * Creating an issue: references checked against the company, the default status, the next
 * `PREFIX-N` identifier (self-healing counter, company row locked), labels, the activity row — all in
 * one transaction — and the assignee's `issue_assigned` wake unless the issue sits in backlog.
 */
import type { Db } from "../../db/connection.js";
import { allocateIssueNumber, getIssue, refreshStatsOnGrowth, type IssueRow } from "../../db/queries/issues.js";
import type { IssuePriority, IssueStatus } from "../../db/schema.js";
import { logActivity } from "../activity-log.js";
import { actorRef, type Actor } from "../auth/actor.js";
import { notFound } from "../errors.js";
import { assertIssueReferences, replaceLabels } from "./references.js";
import { assertAssigneeRules, defaultCreateStatus, statusTimestamps } from "./rules.js";
import { assignmentWake, type IssueWake } from "./wakes.js";

export interface CreateIssueInput {
  title: string;
  description?: string | null | undefined;
  status?: IssueStatus | undefined;
  priority?: IssuePriority | undefined;
  projectId?: string | null | undefined;
  goalId?: string | null | undefined;
  parentId?: string | null | undefined;
  assigneeAgentId?: string | null | undefined;
  assigneeUserId?: string | null | undefined;
  billingCode?: string | null | undefined;
  requestDepth?: number | undefined;
  labelIds?: string[] | undefined;
}

export interface IssueMutationResult {
  issue: IssueRow;
  wakes: IssueWake[];
}

export async function createIssue(db: Db, actor: Actor, companyId: string, input: CreateIssueInput): Promise<IssueMutationResult> {
  const status = input.status ?? defaultCreateStatus(input);
  const assigneeAgentId = input.assigneeAgentId ?? null;
  assertAssigneeRules({ status, assigneeAgentId, assigneeUserId: input.assigneeUserId ?? null });

  const issue = await db.transaction().execute(async (trx) => {
    const number = await allocateIssueNumber(trx, companyId);
    if (!number) throw notFound("Company not found");
    const { issueNumber, identifier } = number;
    await assertIssueReferences(trx, companyId, null, input);
    const created = await trx
      .insertInto("issues")
      .values({
        companyId,
        title: input.title,
        description: input.description ?? null,
        status,
        ...(input.priority ? { priority: input.priority } : {}),
        projectId: input.projectId ?? null,
        goalId: input.goalId ?? null,
        parentId: input.parentId ?? null,
        assigneeAgentId,
        assigneeUserId: input.assigneeUserId ?? null,
        billingCode: input.billingCode ?? null,
        requestDepth: input.requestDepth ?? 0,
        issueNumber,
        identifier,
        createdByAgentId: actor.type === "agent" ? actor.agentId : null,
        createdByUserId: actor.type === "board" ? actor.userId : null,
        originRunId: actor.type === "agent" ? actor.runId : null,
        ...statusTimestamps(null, status),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    if (input.labelIds?.length) await replaceLabels(trx, companyId, created.id, input.labelIds);
    await logActivity(trx, {
      companyId,
      actor: actorRef(actor),
      action: "issue.created",
      entityType: "issue",
      entityId: created.id,
      details: { identifier, title: input.title, status, assigneeAgentId, parentId: input.parentId ?? null },
    });
    const row = await getIssue(trx, created.id);
    if (!row) throw new Error(`issue ${created.id} vanished inside its own transaction`);
    return row;
  });

  refreshStatsOnGrowth(db, issue.issueNumber ?? 0);
  const wakes = assigneeAgentId && status !== "backlog" ? [assignmentWake(assigneeAgentId, issue.id, "issue_assigned", "create")] : [];
  return { issue, wakes };
}
