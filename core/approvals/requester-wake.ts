/**
 * After an approval is approved, the agent that asked for it is woken to act on the answer
 * (`approval_approved`); its run sees PAPERCLIP_APPROVAL_ID / _STATUS / PAPERCLIP_LINKED_ISSUE_IDS.
 * The decision is already committed: a wake that cannot be queued (agent paused, terminated,
 * engine unreachable) is recorded as `approval.requester_wakeup_failed`, never an error.
 */
import type { Db } from "../../db/connection.js";
import type { AgentScheduler } from "../../temporal/agent-scheduler.js";
import { logActivity } from "../activity-log.js";
import { wakeAgent } from "../agent-lifecycle.js";
import type { ActorRef } from "../auth/actor.js";
import type { Approval } from "./model.js";

export const APPROVAL_APPROVED_REASON = "approval_approved";

export async function wakeRequester(db: Db, scheduler: AgentScheduler, approval: Approval, issueIds: string[], by: ActorRef): Promise<void> {
  const requesterAgentId = approval.requestedByAgentId;
  if (!requesterAgentId) return;
  const primaryIssueId = issueIds[0] ?? null;
  const base = { companyId: approval.companyId, actor: by, entityType: "approval", entityId: approval.id };
  try {
    const { result } = await wakeAgent(db, scheduler, requesterAgentId, {
      source: "automation",
      triggerDetail: "system",
      reason: APPROVAL_APPROVED_REASON,
      payload: { approvalId: approval.id, approvalStatus: approval.status, issueId: primaryIssueId, issueIds },
      requestedByActorType: by.actorType,
      requestedByActorId: by.actorId,
      context: {
        source: "approval.approved",
        approvalId: approval.id,
        approvalStatus: approval.status,
        issueId: primaryIssueId,
        issueIds,
        taskId: primaryIssueId,
        wakeReason: APPROVAL_APPROVED_REASON,
      },
    });
    await logActivity(db, {
      ...base,
      action: "approval.requester_wakeup_queued",
      details: { requesterAgentId, wakeRunId: result.runId ?? null, disposition: result.disposition, linkedIssueIds: issueIds },
    });
  } catch (err) {
    await logActivity(db, {
      ...base,
      action: "approval.requester_wakeup_failed",
      details: { requesterAgentId, linkedIssueIds: issueIds, error: err instanceof Error ? err.message : String(err) },
    });
  }
}
