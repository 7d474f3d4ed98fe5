/**
 * Conversation sessions per (agent, adapter type, task key): which one a run resumes, and what the
 * adapter's result does to it. A run without a task uses the synthetic key `__heartbeat__`.
 */
import type { AdapterExecutionResult, AdapterSessionCodec } from "../adapters/types.js";
import type { Db } from "../db/connection.js";
import type { SessionChange } from "../workflows/definitions.js";

export const HEARTBEAT_TASK_KEY = "__heartbeat__";

export interface ResolvedSession {
  taskKey: string;
  fresh: boolean;
  params: Record<string, unknown> | null;
  displayId: string | null;
}

/** Paperclip's rule: `forceFreshSession` and a new assignment start a fresh conversation. */
export function wantsFreshSession(context: Record<string, unknown>): boolean {
  return context.forceFreshSession === true || context.wakeReason === "issue_assigned";
}

export async function resolveSession(
  db: Db,
  key: { companyId: string; agentId: string; adapterType: string; taskKey: string | null },
  context: Record<string, unknown>,
  codec: AdapterSessionCodec | undefined,
): Promise<ResolvedSession> {
  const taskKey = key.taskKey ?? HEARTBEAT_TASK_KEY;
  if (wantsFreshSession(context)) return { taskKey, fresh: true, params: null, displayId: null };
  const row = await db
    .selectFrom("agent_task_sessions")
    .select(["sessionParamsJson", "sessionDisplayId"])
    .where("companyId", "=", key.companyId)
    .where("agentId", "=", key.agentId)
    .where("adapterType", "=", key.adapterType)
    .where("taskKey", "=", taskKey)
    .executeTakeFirst();
  if (!row?.sessionParamsJson) return { taskKey, fresh: false, params: null, displayId: null };
  const raw = row.sessionParamsJson as Record<string, unknown>;
  const params = codec ? codec.deserialize(raw) : raw;
  return { taskKey, fresh: false, params, displayId: row.sessionDisplayId };
}

/** What the result means for the stored session: explicit params or id → set; clearSession → clear; else keep. */
export function sessionChangeFrom(result: AdapterExecutionResult, codec: AdapterSessionCodec | undefined): SessionChange {
  if (result.clearSession) return { action: "clear" };
  const explicit = result.sessionParams ?? (result.sessionId ? { sessionId: result.sessionId } : null);
  if (!explicit) return { action: "keep" };
  const params = codec ? codec.serialize(explicit) : explicit;
  if (!params) return { action: "keep" };
  const displayId = result.sessionDisplayId ?? codec?.getDisplayId?.(params) ?? (typeof params.sessionId === "string" ? params.sessionId : null);
  return { action: "set", params, displayId };
}
