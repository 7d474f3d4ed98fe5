/**
 * Reads a Gemini CLI run: the stream-json events (session, model, tokens, cost, final assistant text,
 * reported errors) fed incrementally as chunks arrive, and the failure classification the adapter maps
 * to error codes (auth, quota with its reset time, unknown session). Chunks may split a line anywhere;
 * non-JSON lines (banners, warnings, a crash trace) are counted and skipped.
 */
import type { UsageSummary } from "../../types.js";
import { LineSplitter } from "../../utils/jsonl.js";
import { SUMMARY_MAX_CHARS, truncateText } from "../../utils/text.js";
import { MAX_EVENT_LINE_CHARS, readGeminiEvent, type GeminiEvent } from "../events.js";

const MAX_ERRORS_KEPT = 20;
const MAX_ERROR_CHARS = 1000;

export interface GeminiStreamSummary {
  sessionId: string | null;
  model: string | null;
  usage: Required<UsageSummary> | null;
  costUsd: number | null;
  /** A `result` event was seen (the CLI finished its turn loop). */
  hasResult: boolean;
  /** The result said `status: "error"`. */
  isError: boolean;
  errorType: string | null;
  errorMessage: string | null;
  /** Messages of `error` events (warnings included), oldest first, capped. */
  errorEvents: string[];
  /** The last assistant message: the text after the last tool call, else the previous one. */
  summary: string | null;
  toolCalls: number;
  events: number;
  skippedLines: number;
}

export class GeminiStreamParser {
  private readonly lines = new LineSplitter(
    (line) => this.line(line),
    () => this.state.skippedLines++,
    MAX_EVENT_LINE_CHARS,
  );
  /** The assistant message being streamed (deltas append; a tool call closes it). */
  private current = "";
  private lastComplete: string | null = null;
  private state: GeminiStreamSummary = {
    sessionId: null,
    model: null,
    usage: null,
    costUsd: null,
    hasResult: false,
    isError: false,
    errorType: null,
    errorMessage: null,
    errorEvents: [],
    summary: null,
    toolCalls: 0,
    events: 0,
    skippedLines: 0,
  };

  push(chunk: string): void {
    this.lines.push(chunk);
  }

  /** Flushes a last line without a trailing newline and returns what the stream said. */
  end(): GeminiStreamSummary {
    this.lines.end();
    this.closeMessage();
    return { ...this.state, errorEvents: [...this.state.errorEvents], summary: truncateText(this.lastComplete) };
  }

  private line(raw: string): void {
    const event = readGeminiEvent(raw);
    if (!event) {
      this.state.skippedLines++;
      return;
    }
    this.state.events++;
    this.event(event);
  }

  private closeMessage(): void {
    if (this.current.trim()) this.lastComplete = this.current;
    this.current = "";
  }

  private event(e: GeminiEvent): void {
    const s = this.state;
    if ("sessionId" in e && e.sessionId && (e.type === "init" || !s.sessionId)) s.sessionId = e.sessionId;
    switch (e.type) {
      case "init":
        if (e.model) s.model = e.model;
        break;
      case "message":
        if (e.role !== "assistant") break;
        if (!e.delta) this.closeMessage();
        // Enough to fill the summary; the rest of a very long message is in the run log.
        if (this.current.length < SUMMARY_MAX_CHARS * 2) this.current += e.text;
        break;
      case "tool_use":
        s.toolCalls++;
        this.closeMessage();
        break;
      case "error":
        if (s.errorEvents.length < MAX_ERRORS_KEPT) s.errorEvents.push(e.message.slice(0, MAX_ERROR_CHARS));
        break;
      case "result":
        s.hasResult = true;
        s.isError = e.isError;
        s.errorType = e.errorType;
        s.errorMessage = e.errorMessage ? e.errorMessage.slice(0, MAX_ERROR_CHARS) : null;
        if (e.usage) s.usage = e.usage;
        if (e.costUsd !== null) s.costUsd = e.costUsd;
        // `--output-format json`-style results carry the whole response: use it when nothing streamed.
        if (e.text && !this.current.trim() && !this.lastComplete) this.current = e.text.slice(0, SUMMARY_MAX_CHARS * 2);
        break;
      default:
        break;
    }
  }
}

/** Whole-output convenience for tests and one-shot callers. */
export function parseGeminiStreamJson(stdout: string): GeminiStreamSummary {
  const parser = new GeminiStreamParser();
  parser.push(stdout);
  return parser.end();
}

// ---- failure classification ----

export type GeminiFailureKind = "provider_quota" | "auth_required" | "unknown_session" | null;

// Stricter than the common patterns in utils/provider-failure.ts on purpose: the evidence includes
// stderr, where the CLI logs token counts ("used 429 tokens") that a bare number match would misread.

const QUOTA_PATTERN =
  /quota exceeded|exceeded your current quota|RESOURCE_EXHAUSTED|exhausted your (?:capacity|quota|daily quota)|TerminalQuotaError|RetryableQuotaError|rate ?limit(?:ed| exceeded)|too many requests|(?:status|code|error|HTTP)["\s:=]*429\b/i;
const AUTH_PATTERN =
  /please set an auth method|GEMINI_API_KEY environment variable|API key not valid|API_KEY_INVALID|invalid api key|UNAUTHENTICATED|FatalAuthenticationError|invalid_grant|failed to login|not (?:logged in|authenticated)|re-?authenticate|(?:status|code|error|HTTP)["\s:=]*401\b/i;
const UNKNOWN_SESSION_PATTERN = /invalid session identifier|no previous sessions found|error resuming session|session[^\n]{0,40}not found/i;
/** The real CLI exits with 41 (FatalAuthenticationError) when it has no usable credentials. */
export const GEMINI_AUTH_EXIT_CODE = 41;

/**
 * What a failure's text says about its cause. Quota comes first: its messages are specific, while an
 * auth hint ("set GEMINI_API_KEY") may ride along in a quota message's advice.
 */
export function classifyGeminiFailure(evidence: string, exitCode: number | null): GeminiFailureKind {
  if (QUOTA_PATTERN.test(evidence)) return "provider_quota";
  if (exitCode === GEMINI_AUTH_EXIT_CODE || AUTH_PATTERN.test(evidence)) return "auth_required";
  if (UNKNOWN_SESSION_PATTERN.test(evidence)) return "unknown_session";
  return null;
}

export function isUnknownSessionError(evidence: string): boolean {
  return UNKNOWN_SESSION_PATTERN.test(evidence);
}
