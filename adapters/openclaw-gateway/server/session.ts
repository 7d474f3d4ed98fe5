/**
 * Which OpenClaw conversation a run talks to. OpenClaw routes by `sessionKey`; Switchboard stores
 * that key as the task's session (`sessionParams: {sessionKey}`), so the next run for the same task
 * continues the same conversation.
 *
 * - `issue` (default): one conversation per task (`paperclip:issue:<taskId>`); a wake without a task
 *   uses the fixed key.
 * - `fixed`: always `sessionKey` (default `paperclip`).
 * - `run`: a fresh conversation per run (`paperclip:run:<runId>`), never resumed.
 * With `agentId` set, keys are namespaced `agent:<agentId>:…` as OpenClaw's own keys are.
 */
import type { AdapterExecutionContext, AdapterSessionCodec } from "../../types.js";
import type { OpenClawGatewayConfig } from "../config.js";

const text = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v.trim() : null);

function namespaced(key: string, agentId: string | undefined): string {
  return agentId && !key.startsWith("agent:") ? `agent:${agentId}:${key}` : key;
}

/** The key this configuration derives for a run, ignoring any stored session. */
export function deriveSessionKey(
  config: Pick<OpenClawGatewayConfig, "sessionKeyStrategy" | "sessionKey" | "agentId">,
  run: { runId: string; taskId: string | null },
): string {
  if (config.sessionKeyStrategy === "run") return namespaced(`paperclip:run:${run.runId}`, config.agentId);
  if (config.sessionKeyStrategy === "issue" && run.taskId) return namespaced(`paperclip:issue:${run.taskId}`, config.agentId);
  return namespaced(config.sessionKey, config.agentId);
}

export interface ResolvedSessionKey {
  sessionKey: string;
  resumed: boolean;
}

/**
 * The stored key wins for `issue` (it is the conversation the task already has); `fixed` follows the
 * configuration (a user who changes it means it); `run` never resumes.
 */
export function resolveSessionKey(
  config: Pick<OpenClawGatewayConfig, "sessionKeyStrategy" | "sessionKey" | "agentId">,
  ctx: Pick<AdapterExecutionContext, "runId" | "context" | "runtime">,
): ResolvedSessionKey {
  const taskId = text(ctx.context.taskId) ?? text(ctx.context.issueId);
  const derived = deriveSessionKey(config, { runId: ctx.runId, taskId });
  const stored = text(ctx.runtime.sessionParams?.sessionKey);
  if (config.sessionKeyStrategy === "issue" && stored) return { sessionKey: stored, resumed: true };
  return { sessionKey: derived, resumed: stored === derived };
}

/** Session params are `{sessionKey}` (also read from `session_key`); the key is its own display id. */
export const sessionKeyCodec: AdapterSessionCodec = {
  deserialize(raw) {
    if (!raw || typeof raw !== "object") return null;
    const record = raw as Record<string, unknown>;
    const key = text(record.sessionKey) ?? text(record.session_key);
    return key ? { sessionKey: key } : null;
  },
  serialize(params) {
    const key = text(params?.sessionKey);
    return key ? { sessionKey: key } : null;
  },
  getDisplayId(params) {
    return text(params?.sessionKey);
  },
};
