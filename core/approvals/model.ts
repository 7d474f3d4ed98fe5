/**
 * Approvals: what they are and which status moves are legal (Paperclip's approval service rules).
 *
 *   pending ──approve/reject──▶ approved | rejected
 *   pending ──request-revision──▶ revision_requested ──resubmit──▶ pending
 *   revision_requested ──approve/reject──▶ approved | rejected
 *
 * Repeating the decision an approval already has is a no-op (`applied: false`), so a retried
 * click never fails; any other move out of a decided approval is a 422.
 */
import type { Selectable } from "kysely";
import type { ApprovalStatus, ApprovalTable } from "../../db/schema.js";

export const APPROVAL_TYPES = ["hire_agent", "approve_ceo_strategy", "budget_override_required"] as const;
export type ApprovalType = (typeof APPROVAL_TYPES)[number];

export const APPROVAL_STATUSES = ["pending", "revision_requested", "approved", "rejected", "cancelled"] as const satisfies readonly ApprovalStatus[];

/** Statuses from which the board may still approve or reject. */
export const RESOLVABLE_STATUSES: readonly ApprovalStatus[] = ["pending", "revision_requested"];

export type Approval = Selectable<ApprovalTable>;
export type Decision = "approved" | "rejected";

export interface DecisionResult {
  approval: Approval;
  /** False when the approval already had this decision (nothing changed, nothing was logged). */
  applied: boolean;
}

export function payloadOf(approval: Pick<Approval, "payload">): Record<string, unknown> {
  const p = approval.payload;
  return p && typeof p === "object" && !Array.isArray(p) ? (p as Record<string, unknown>) : {};
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The agent a `hire_agent` approval is about (created pending by the hire route), if any. */
export function hiredAgentId(approval: Pick<Approval, "type" | "payload">): string | null {
  if (approval.type !== "hire_agent") return null;
  const id = payloadOf(approval).agentId;
  return typeof id === "string" && UUID_PATTERN.test(id) ? id : null;
}
