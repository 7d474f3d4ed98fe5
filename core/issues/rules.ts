/**
 * The issue rules that need no database: statuses and priorities, the default status on create,
 * the assignee invariants, and what a status change does to timestamps and locks (Paperclip's
 * `applyStatusSideEffects`). Any status may follow any other; the guards are these invariants.
 */
import { sql, type RawBuilder } from "kysely";
import type { IssueStatus } from "../../db/schema.js";
import { unprocessable } from "../errors.js";

export const ISSUE_STATUSES = ["backlog", "todo", "in_progress", "in_review", "done", "blocked", "cancelled"] as const satisfies readonly IssueStatus[];
export const ISSUE_PRIORITIES = ["critical", "high", "medium", "low"] as const;

/** Closed issues: a comment wakes nobody unless it reopens them. */
export const CLOSED_STATUSES: ReadonlySet<IssueStatus> = new Set(["done", "cancelled"]);

/** The four lock fields. Cleared together: by any status other than in_progress and by any reassignment. */
export const CLEARED_LOCKS = { checkoutRunId: null, executionRunId: null, executionAgentNameKey: null, executionLockedAt: null } as const;

/** Paperclip: `todo` when someone is assigned, `backlog` otherwise. */
export function defaultCreateStatus(assignee: { assigneeAgentId?: string | null | undefined; assigneeUserId?: string | null | undefined }): IssueStatus {
  return assignee.assigneeAgentId || assignee.assigneeUserId ? "todo" : "backlog";
}

export interface AssigneeState {
  status: IssueStatus;
  assigneeAgentId: string | null;
  assigneeUserId: string | null;
}

export function assertAssigneeRules(state: AssigneeState): void {
  if (state.assigneeAgentId && state.assigneeUserId) {
    throw unprocessable("Issue can only have one assignee", { code: "multiple_assignees" });
  }
  if (state.status === "in_progress" && !state.assigneeAgentId && !state.assigneeUserId) {
    throw unprocessable("in_progress issues require an assignee", { code: "in_progress_requires_assignee" });
  }
}

type Now = RawBuilder<Date>;

/**
 * Timestamps for a move from `from` (null on create) to `to`: entering in_progress stamps
 * started_at, entering done/cancelled stamps completed_at/cancelled_at, leaving them clears them.
 */
export function statusTimestamps(from: IssueStatus | null, to: IssueStatus, now: Now = sql<Date>`now()`) {
  const out: { startedAt?: Now; completedAt?: Now | null; cancelledAt?: Now | null } = {};
  if (from === to) return out;
  if (to === "in_progress") out.startedAt = now;
  if (to === "done") out.completedAt = now;
  else if (from === "done") out.completedAt = null;
  if (to === "cancelled") out.cancelledAt = now;
  else if (from === "cancelled") out.cancelledAt = null;
  return out;
}

/** The normalised agent name the engine keys execution locks by. */
export function executionNameKey(agentName: string): string {
  return agentName.toLowerCase();
}
