/**
 * Reading the Cursor Agent CLI's `--output-format stream-json`: one JSON event per line — `system`
 * (init: session_id, model), `user`, `assistant` (one complete message between tool calls),
 * `tool_call` (`started`/`completed`), and a terminal `result` (duration, is_error, usage when the CLI
 * reports it). Output is agent-controlled: non-JSON lines are counted and skipped, every field is
 * type-checked, and what is kept is capped. Fed incrementally: chunks may split a line anywhere.
 */
import type { UsageSummary } from "../../types.js";
import { asRecord, jsonEventLines } from "../../utils/jsonl.js";
import { SUMMARY_MAX_CHARS } from "../../utils/text.js";

const MAX_KEPT = 20;
const MAX_ERROR_CHARS = 2000;

export interface CursorToolError {
  tool: string;
  error: string;
}

export interface CursorParseState {
  sessionId: string | null;
  model: string | null;
  /** From the `result` event's usage, else summed `step_finish` tokens; null when neither was reported. */
  usage: Required<UsageSummary> | null;
  costUsd: number | null;
  hasResult: boolean;
  isError: boolean;
  subtype: string | null;
  resultText: string | null;
  durationMs: number | null;
  lastAssistantText: string | null;
  toolCalls: number;
  toolErrors: CursorToolError[];
  /** Messages of `error` events and of an errored `result`. */
  errors: string[];
  events: number;
  nonJsonLines: number;
}

type Json = Record<string, unknown>;
const count = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0);
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;
const text = (v: unknown, max = MAX_ERROR_CHARS): string | null => (typeof v === "string" && v.trim() ? v.trim().slice(0, max) : null);
const idOf = (v: unknown): string | null => (typeof v === "string" && /^[\w.:-]{1,200}$/.test(v) ? v : null);
const firstCount = (r: Json, keys: string[]): number => {
  for (const k of keys) if (isCount(r[k])) return r[k];
  return 0;
};

/** Session id under any of the spellings Cursor builds have used. */
export function cursorSessionIdOf(e: Json): string | null {
  return idOf(e.session_id) ?? idOf(e.sessionId) ?? idOf(e.sessionID);
}

/** `result.usage` in snake_case or camelCase; null when it carries no token count at all. */
export function cursorUsageOf(raw: unknown): Required<UsageSummary> | null {
  const u = asRecord(raw);
  if (!u) return null;
  const usage = {
    inputTokens: firstCount(u, ["input_tokens", "inputTokens"]),
    outputTokens: firstCount(u, ["output_tokens", "outputTokens"]),
    cachedInputTokens: firstCount(u, ["cached_input_tokens", "cache_read_input_tokens", "cacheReadTokens", "cachedInputTokens"]),
  };
  return usage.inputTokens + usage.outputTokens + usage.cachedInputTokens > 0 ? usage : null;
}

/** `total_cost_usd`, `cost_usd` or `cost` — the first that is a non-negative number. */
export function cursorCostOf(e: Json): number | null {
  for (const key of ["total_cost_usd", "cost_usd", "cost"]) if (isCount(e[key])) return e[key];
  return null;
}

/** `{readToolCall: {args, result}}` → `["read", {args, result}]`; the CLI names each tool by its key. */
export function cursorToolOf(raw: unknown): { name: string; body: Json } {
  const call = asRecord(raw);
  const key = call ? Object.keys(call)[0] : undefined;
  const body = key && call ? (asRecord(call[key]) ?? {}) : {};
  if (key === "function") return { name: text(body.name, 100) ?? "function", body };
  return { name: key ? key.replace(/ToolCall$/, "") || key : "tool", body };
}

/** The error of a completed tool call, if it failed: `result.error`/`result.failure`/`result.rejected`. */
export function cursorToolErrorOf(body: Json): string | null {
  const result = asRecord(body.result);
  if (!result) return null;
  for (const key of ["error", "failure", "rejected"]) {
    if (!(key in result)) continue;
    const value = result[key];
    const inner = asRecord(value);
    return text(value) ?? text(inner?.errorMessage) ?? text(inner?.message) ?? text(inner?.error) ?? text(inner ? JSON.stringify(inner) : null) ?? key;
  }
  return null;
}

export class CursorStreamParser {
  private readonly lines = jsonEventLines(
    (type, event) => this.event(type, event),
    () => this.state.nonJsonLines++,
  );
  private stepUsage: Required<UsageSummary> | null = null;
  private resultUsage: Required<UsageSummary> | null = null;
  readonly state: CursorParseState = {
    sessionId: null,
    model: null,
    usage: null,
    costUsd: null,
    hasResult: false,
    isError: false,
    subtype: null,
    resultText: null,
    durationMs: null,
    lastAssistantText: null,
    toolCalls: 0,
    toolErrors: [],
    errors: [],
    events: 0,
    nonJsonLines: 0,
  };

  push(chunk: string): void {
    this.lines.push(chunk);
  }

  end(): CursorParseState {
    this.lines.end();
    // The result's totals win; per-step tokens are the fallback for builds that only report those.
    this.state.usage = this.resultUsage ?? this.stepUsage;
    return this.state;
  }

  private event(type: string, e: Json): void {
    const s = this.state;
    s.events++;
    const sessionId = cursorSessionIdOf(e);
    if (sessionId) s.sessionId = sessionId;
    switch (type) {
      case "system": {
        const model = text(e.model, 200);
        if (model) s.model = model;
        break;
      }
      case "assistant": {
        const content = asRecord(e.message)?.content;
        const texts = (Array.isArray(content) ? content : [])
          .map((b) => asRecord(b))
          .filter((b): b is Json => b !== null && b.type === "text" && typeof b.text === "string")
          .map((b) => b.text as string);
        const joined = texts.join("");
        if (joined.trim()) s.lastAssistantText = joined.slice(-SUMMARY_MAX_CHARS * 4);
        break;
      }
      case "tool_call": {
        if (e.subtype === "started") s.toolCalls++;
        if (e.subtype !== "completed") break;
        const tool = cursorToolOf(e.tool_call);
        const error = cursorToolErrorOf(tool.body);
        if (error && s.toolErrors.length < MAX_KEPT) s.toolErrors.push({ tool: tool.name, error });
        break;
      }
      case "step_finish": {
        const tokens = asRecord(asRecord(e.part)?.tokens);
        if (!tokens) break;
        const step = this.stepUsage ?? { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
        step.inputTokens += count(tokens.input);
        step.outputTokens += count(tokens.output) + count(tokens.reasoning);
        step.cachedInputTokens += count(asRecord(tokens.cache)?.read);
        this.stepUsage = step;
        break;
      }
      case "result": {
        s.hasResult = true;
        s.isError = e.is_error === true || (typeof e.subtype === "string" && e.subtype !== "success");
        s.subtype = text(e.subtype, 100);
        if (typeof e.result === "string") s.resultText = e.result.slice(-SUMMARY_MAX_CHARS * 4);
        if (isCount(e.duration_ms)) s.durationMs = e.duration_ms;
        this.resultUsage = cursorUsageOf(e.usage) ?? this.resultUsage;
        const cost = cursorCostOf(e);
        if (cost !== null) s.costUsd = cost;
        if (s.isError && s.errors.length < MAX_KEPT) s.errors.push(text(e.error) ?? text(asRecord(e.error)?.message) ?? text(e.result) ?? "Cursor reported an error result");
        break;
      }
      case "error": {
        const message = text(e.message) ?? text(asRecord(e.error)?.message) ?? text(e.error) ?? "Cursor reported an error";
        if (s.errors.length < MAX_KEPT) s.errors.push(message);
        break;
      }
      default:
        break;
    }
  }
}

export function parseCursorStreamJson(stdout: string): CursorParseState {
  const parser = new CursorStreamParser();
  parser.push(stdout);
  return parser.end();
}
