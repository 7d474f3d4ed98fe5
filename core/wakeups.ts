/**
 * Turning a wakeup as callers express it (Paperclip's `wakeAgentSchema`) into the `WakeRequest` the
 * agent workflow admits: defaults, the task key that scopes coalescing, and the context snapshot
 * the run (and the agent's env) will see.
 */
import { randomUUID } from "node:crypto";
import type { InvocationSource, TriggerDetail, WakeRequest } from "../workflows/definitions.js";

export interface WakeInput {
  source?: InvocationSource | undefined;
  triggerDetail?: TriggerDetail | undefined;
  reason?: string | null | undefined;
  payload?: Record<string, unknown> | null | undefined;
  idempotencyKey?: string | null | undefined;
  forceFreshSession?: boolean | undefined;
  requestedByActorType?: "user" | "agent" | "system" | undefined;
  requestedByActorId?: string | null | undefined;
  /** Extra context set by internal callers (issue, comment, approval wakes). */
  context?: Record<string, unknown> | undefined;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);

/** Paperclip's rule: taskKey ← taskKey | taskId | issueId, from the context first, then the payload. */
export function deriveTaskKey(context: Record<string, unknown>, payload: Record<string, unknown> | null | undefined): string | null {
  const p = payload ?? {};
  return str(context.taskKey) ?? str(context.taskId) ?? str(context.issueId) ?? str(p.taskKey) ?? str(p.taskId) ?? str(p.issueId) ?? null;
}

export function buildWakeRequest(input: WakeInput, now: Date = new Date()): WakeRequest {
  const source = input.source ?? "on_demand";
  const triggerDetail = input.triggerDetail ?? (source === "on_demand" ? "manual" : source === "timer" ? "system" : null);
  const payload = input.payload ?? null;
  const reason = input.reason ?? null;
  const context: Record<string, unknown> = { ...(input.context ?? {}) };
  const issueId = str(context.issueId) ?? str(payload?.issueId);
  // Same precedence as the task key, so PAPERCLIP_TASK_ID and the coalescing scope always agree.
  const taskId = str(context.taskId) ?? str(context.issueId) ?? str(payload?.taskId) ?? str(payload?.issueId);
  const taskKey = deriveTaskKey(context, payload);
  const commentId = str(context.commentId) ?? str(payload?.commentId);
  Object.assign(context, {
    ...(issueId ? { issueId } : {}),
    ...(taskId ? { taskId } : {}),
    ...(taskKey ? { taskKey } : {}),
    ...(commentId ? { commentId, wakeCommentId: commentId } : {}),
    wakeReason: reason ?? context.wakeReason ?? null,
    wakeSource: source,
    wakeTriggerDetail: triggerDetail,
    forceFreshSession: input.forceFreshSession ?? false,
    requestedAt: now.toISOString(),
  });
  return {
    wakeupRequestId: randomUUID(),
    source,
    triggerDetail,
    reason,
    payload,
    idempotencyKey: input.idempotencyKey ?? null,
    requestedByActorType: input.requestedByActorType ?? null,
    requestedByActorId: input.requestedByActorId ?? null,
    taskKey,
    contextSnapshot: context,
  };
}

/** Agent states that accept no wakeups (Paperclip answers 409). */
export const NOT_INVOKABLE_STATUS_LIST = ["paused", "terminated", "pending_approval"] as const;
export const NOT_INVOKABLE_STATUSES: ReadonlySet<string> = new Set(NOT_INVOKABLE_STATUS_LIST);
