/**
 * The wakes issue mutations cause (Paperclip §4.7): assignment, leaving backlog, checkout by the
 * board, comments and @mentions. A mutation plans its wakes inside its transaction and they are
 * sent after the commit — the run must find the committed issue — merged to one wake per agent.
 * A wake that cannot be delivered (agent paused, terminated, ...) never fails the mutation.
 */
import { sql } from "kysely";
import type { Db } from "../../db/connection.js";
import type { AgentScheduler } from "../../temporal/agent-scheduler.js";
import type { InvocationSource, TriggerDetail } from "../../workflows/definitions.js";
import { wakeAgent } from "../agent-lifecycle.js";
import { actorRef, type Actor } from "../auth/actor.js";
import { findMentionedAgentIds } from "./mentions.js";
import { CLOSED_STATUSES } from "./rules.js";
import type { IssueStatus } from "../../db/schema.js";

export interface IssueWake {
  agentId: string;
  source: InvocationSource;
  triggerDetail: TriggerDetail;
  reason: string;
  payload: Record<string, unknown>;
  context: Record<string, unknown>;
}

/** One wake per agent: the first planned reason wins (assignment before comment before mention). */
export class WakePlan {
  private readonly byAgent = new Map<string, IssueWake>();

  add(wake: IssueWake): void {
    if (!this.byAgent.has(wake.agentId)) this.byAgent.set(wake.agentId, wake);
  }

  has(agentId: string): boolean {
    return this.byAgent.has(agentId);
  }

  list(): IssueWake[] {
    return [...this.byAgent.values()];
  }
}

type Mutation = "create" | "update" | "checkout";

/** `issue_assigned` (create / reassignment) and `issue_checked_out` (board checks out for an agent). */
export function assignmentWake(agentId: string, issueId: string, reason: "issue_assigned" | "issue_checked_out", mutation: Mutation): IssueWake {
  return {
    agentId,
    source: "assignment",
    triggerDetail: "system",
    reason,
    payload: { issueId, mutation },
    context: { issueId, taskId: issueId, wakeReason: reason, source: `issue.${mutation}` },
  };
}

/** Leaving backlog without a reassignment. */
export function statusChangeWake(agentId: string, issueId: string, from: IssueStatus, to: IssueStatus): IssueWake {
  return {
    agentId,
    source: "automation",
    triggerDetail: "system",
    reason: "issue_status_changed",
    payload: { issueId, mutation: "update", statusFrom: from, statusTo: to },
    context: { issueId, taskId: issueId, wakeReason: "issue_status_changed", source: "issue.update" },
  };
}

/**
 * `issue_children_completed`: the last open sub-issue of a parent was closed (done or cancelled);
 * the parent's assignee is woken to review and close it. The parent is locked (advisory, per parent)
 * so two children closed at once cannot both see the other as still open.
 */
export async function planChildrenCompletedWake(db: Db, plan: WakePlan, child: { id: string; companyId: string; parentId: string | null; status: IssueStatus }, actorAgentId: string | null): Promise<void> {
  if (!child.parentId || !CLOSED_STATUSES.has(child.status)) return;
  await sql`select pg_advisory_xact_lock(hashtext(${`issue-children:${child.parentId}`}))`.execute(db);
  const parent = await db.selectFrom("issues").select(["id", "status", "assigneeAgentId"]).where("id", "=", child.parentId).where("companyId", "=", child.companyId).executeTakeFirst();
  if (!parent?.assigneeAgentId || CLOSED_STATUSES.has(parent.status) || parent.assigneeAgentId === actorAgentId) return;
  const open = await db
    .selectFrom("issues")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("parentId", "=", parent.id)
    .where("companyId", "=", child.companyId)
    .where("status", "not in", [...CLOSED_STATUSES])
    .executeTakeFirstOrThrow();
  if (Number(open.n) > 0) return;
  plan.add({
    agentId: parent.assigneeAgentId,
    source: "automation",
    triggerDetail: "system",
    reason: "issue_children_completed",
    payload: { issueId: parent.id, childIssueId: child.id, mutation: "update" },
    context: { issueId: parent.id, taskId: parent.id, wakeReason: "issue_children_completed", source: "issue.children_completed", childIssueId: child.id },
  });
}

function commentWake(agentId: string, issueId: string, commentId: string, reason: string, source: string): IssueWake {
  return {
    agentId,
    source: "automation",
    triggerDetail: "system",
    reason,
    payload: { issueId, commentId, mutation: "comment" },
    context: { issueId, taskId: issueId, commentId, wakeCommentId: commentId, wakeReason: reason, source },
  };
}

export interface CommentWakeInput {
  issue: { id: string; companyId: string; status: IssueStatus; assigneeAgentId: string | null };
  comment: { id: string; body: string; authorAgentId: string | null };
  reopened: boolean;
}

/**
 * The assignee (unless it wrote the comment, or the issue stays closed) and every mentioned agent
 * other than the author.
 */
export async function planCommentWakes(db: Db, plan: WakePlan, { issue, comment, reopened }: CommentWakeInput): Promise<void> {
  const assignee = issue.assigneeAgentId;
  if (assignee && assignee !== comment.authorAgentId && (reopened || !CLOSED_STATUSES.has(issue.status))) {
    plan.add(commentWake(assignee, issue.id, comment.id, reopened ? "issue_reopened_via_comment" : "issue_commented", "issue.comment"));
  }
  if (!comment.body.includes("@")) return;
  const agents = await db.selectFrom("agents").select(["id", "name"]).where("companyId", "=", issue.companyId).where("status", "!=", "terminated").execute();
  for (const agentId of findMentionedAgentIds(comment.body, agents)) {
    if (agentId === comment.authorAgentId) continue;
    plan.add(commentWake(agentId, issue.id, comment.id, "issue_comment_mentioned", "comment.mention"));
  }
}

export type WakeFailureHandler = (wake: IssueWake, err: unknown) => void;

/** Sends the planned wakes; each failure is reported to `onFailure` and otherwise ignored. */
export async function sendIssueWakes(db: Db, scheduler: AgentScheduler, actor: Actor, wakes: IssueWake[], onFailure: WakeFailureHandler = () => undefined): Promise<void> {
  if (wakes.length === 0) return;
  const ref = actorRef(actor);
  await Promise.all(
    wakes.map(async (wake) => {
      try {
        await wakeAgent(db, scheduler, wake.agentId, {
          source: wake.source,
          triggerDetail: wake.triggerDetail,
          reason: wake.reason,
          payload: wake.payload,
          context: wake.context,
          requestedByActorType: ref.actorType,
          requestedByActorId: ref.actorId,
        });
      } catch (err) {
        onFailure(wake, err);
      }
    }),
  );
}
