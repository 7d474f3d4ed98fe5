/**
 * One line of `gemini --output-format stream-json` → a normalised, type-checked event. Shared by the
 * server parser, the board UI transcript and the CLI formatter so the three never disagree about what
 * a line means. Pure (no Node built-ins): the UI bundles it.
 *
 * The real CLI writes `init {session_id, model}`, `message {role, content, delta?}`,
 * `tool_use {tool_name, tool_id, parameters}`, `tool_result {tool_id, status, output?, error?}`,
 * `error {severity, message}` and a final `result {status, error?, stats}`; every event carries a
 * `timestamp`. Other spellings seen in wrappers and older builds (sessionId, usageMetadata, an
 * `assistant` or `text` event) are accepted too. Output is untrusted: anything unexpected is `null`.
 */
import type { UsageSummary } from "../types.js";

export type GeminiEvent =
  | { type: "init"; sessionId: string | null; model: string | null }
  | { type: "message"; role: "user" | "assistant"; text: string; delta: boolean; sessionId: string | null }
  | { type: "tool_use"; name: string; toolId: string; input: unknown }
  | { type: "tool_result"; toolId: string; isError: boolean; content: string }
  | { type: "error"; severity: "warning" | "error"; message: string }
  | {
      type: "result";
      isError: boolean;
      errorType: string | null;
      errorMessage: string | null;
      text: string | null;
      usage: Required<UsageSummary> | null;
      costUsd: number | null;
      sessionId: string | null;
    }
  | { type: "other"; eventType: string; sessionId: string | null };

/** A line longer than this is not an event worth reading (and would cost memory to keep). */
export const MAX_EVENT_LINE_CHARS = 1024 * 1024;
const MAX_FIELD_CHARS = 64 * 1024;
const MAX_ID_CHARS = 200;

export const asRecord = (v: unknown): Record<string, unknown> | null =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
const text = (v: unknown): string | null => (typeof v === "string" ? v.slice(0, MAX_FIELD_CHARS) : null);
const id = (v: unknown): string | null => (typeof v === "string" && v.length > 0 && v.length <= MAX_ID_CHARS ? v : null);
const count = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.floor(v) : null);
const firstCount = (r: Record<string, unknown>, keys: string[]): number | null => {
  for (const key of keys) {
    const n = count(r[key]);
    if (n !== null) return n;
  }
  return null;
};

/** Session id under any of the spellings runtimes use. */
export function sessionIdOf(r: Record<string, unknown>): string | null {
  return id(r.session_id) ?? id(r.sessionId) ?? id(r.sessionID);
}

/**
 * Token counts from `stats` (the CLI's result), `usage` or `usageMetadata` (the Gemini API's).
 * Gemini's prompt count includes cached tokens; Switchboard stores them apart (as claude_local does),
 * so `inputTokens` is the uncached part: the CLI's own `input` breakdown, else prompt − cached.
 */
export function usageOf(r: Record<string, unknown>): Required<UsageSummary> | null {
  const source = asRecord(r.stats) ?? asRecord(r.usage) ?? asRecord(r.usageMetadata);
  if (!source) return null;
  const prompt = firstCount(source, ["input_tokens", "promptTokenCount", "inputTokens", "prompt_tokens"]);
  const output = firstCount(source, ["output_tokens", "candidatesTokenCount", "outputTokens", "completion_tokens"]);
  const cached = firstCount(source, ["cached", "cached_input_tokens", "cachedContentTokenCount", "cachedInputTokens", "cache_read_input_tokens"]) ?? 0;
  if (prompt === null && output === null) return null;
  const uncached = count(source.input) ?? Math.max(0, (prompt ?? 0) - cached);
  return { inputTokens: uncached, outputTokens: output ?? 0, cachedInputTokens: cached };
}

/** Cost in USD when the runtime reports one (the Gemini CLI usually does not). */
export function costOf(r: Record<string, unknown>): number | null {
  for (const holder of [r, asRecord(r.stats), asRecord(r.usage)]) {
    if (!holder) continue;
    for (const key of ["total_cost_usd", "cost_usd", "cost"]) {
      const v = holder[key];
      if (typeof v === "number" && Number.isFinite(v) && v >= 0) return v;
    }
  }
  return null;
}

/** `content` as a string, or the text parts of a `[{text}]` array. */
function contentText(v: unknown): string | null {
  const direct = text(v);
  if (direct !== null) return direct;
  if (!Array.isArray(v)) return null;
  const parts = v.map((p) => text(asRecord(p)?.text)).filter((p): p is string => p !== null);
  return parts.length ? parts.join("").slice(0, MAX_FIELD_CHARS) : null;
}

function errorPart(v: unknown): { type: string | null; message: string | null } {
  const direct = text(v);
  if (direct !== null) return { type: null, message: direct };
  const r = asRecord(v);
  return { type: r ? text(r.type) : null, message: r ? text(r.message) : null };
}

export function readGeminiEvent(line: string): GeminiEvent | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith("{") || trimmed.length > MAX_EVENT_LINE_CHARS) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return null;
  }
  const e = asRecord(parsed);
  if (!e || typeof e.type !== "string") return null;
  const sessionId = sessionIdOf(e);
  switch (e.type) {
    case "init":
      return { type: "init", sessionId, model: id(e.model) };
    case "message": {
      const role = e.role === "user" ? "user" : e.role === "assistant" || e.role === "model" ? "assistant" : null;
      const body = contentText(e.content) ?? text(e.text);
      if (!role || body === null) return { type: "other", eventType: "message", sessionId };
      return { type: "message", role, text: body, delta: e.delta === true, sessionId };
    }
    case "assistant":
    case "text": {
      const message = asRecord(e.message);
      const body = contentText(e.content) ?? text(e.text) ?? contentText(message?.content);
      if (body === null) return { type: "other", eventType: e.type, sessionId };
      return { type: "message", role: "assistant", text: body, delta: e.delta === true, sessionId };
    }
    case "tool_use":
      return { type: "tool_use", name: text(e.tool_name) ?? text(e.name) ?? "tool", toolId: id(e.tool_id) ?? id(e.id) ?? "", input: e.parameters ?? e.input ?? {} };
    case "tool_result": {
      const failed = e.status === "error" || e.is_error === true;
      const err = errorPart(e.error);
      const content = text(e.output) ?? contentText(e.content) ?? (failed ? err.message : null) ?? "";
      return { type: "tool_result", toolId: id(e.tool_id) ?? id(e.id) ?? "", isError: failed, content };
    }
    case "error":
      return { type: "error", severity: e.severity === "warning" ? "warning" : "error", message: text(e.message) ?? errorPart(e.error).message ?? "unknown error" };
    case "result": {
      const err = errorPart(e.error);
      const isError = e.status === "error" || e.is_error === true || (e.status === undefined && err.message !== null);
      return {
        type: "result",
        isError,
        errorType: err.type,
        errorMessage: err.message,
        text: text(e.response) ?? text(e.result),
        usage: usageOf(e),
        costUsd: costOf(e),
        sessionId,
      };
    }
    default:
      return { type: "other", eventType: e.type.slice(0, 100), sessionId };
  }
}
