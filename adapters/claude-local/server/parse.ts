/**
 * Parser for Claude Code's `--output-format stream-json --verbose` output: one JSON event per line
 * (`system`/`init`, `assistant`, `user`, …, a final `result`). Output is untrusted and may hold
 * non-JSON lines (warnings, a crash trace): those are skipped. Fed incrementally so a long run's
 * output is never held in memory whole.
 */
import type { UsageSummary } from "../../types.js";
import { LineSplitter, parseJsonObject } from "../../utils/jsonl.js";
import { truncateText } from "../../utils/text.js";

export const SUMMARY_MAX_CHARS = 2048;

export interface ClaudeStreamSummary {
  sessionId: string | null;
  model: string | null;
  usage: UsageSummary | null;
  costUsd: number | null;
  /** `result` event seen. */
  hasResult: boolean;
  isError: boolean;
  subtype: string | null;
  resultText: string | null;
  /** Last assistant text block, used as summary when the result carries none. */
  lastAssistantText: string | null;
  /** Lines that were not JSON objects. */
  skippedLines: number;
}

const count = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0);
const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);

export class ClaudeStreamParser {
  private readonly lines = new LineSplitter(
    (line) => this.line(line),
    () => this.state.skippedLines++,
  );
  private state: ClaudeStreamSummary = {
    sessionId: null,
    model: null,
    usage: null,
    costUsd: null,
    hasResult: false,
    isError: false,
    subtype: null,
    resultText: null,
    lastAssistantText: null,
    skippedLines: 0,
  };

  push(chunk: string): void {
    this.lines.push(chunk);
  }

  end(): ClaudeStreamSummary {
    this.lines.end();
    return { ...this.state };
  }

  private line(text: string): void {
    const event = parseJsonObject(text);
    if (event) this.event(event);
    else this.state.skippedLines++;
  }

  private event(e: Record<string, unknown>): void {
    const s = this.state;
    const sessionId = str(e.session_id);
    if (e.type === "system") {
      if (e.subtype === "init" || e.subtype === undefined) {
        if (sessionId) s.sessionId = sessionId;
        const model = str(e.model);
        if (model) s.model = model;
      }
      return;
    }
    if (e.type === "assistant") {
      if (sessionId && !s.sessionId) s.sessionId = sessionId;
      const message = e.message && typeof e.message === "object" ? (e.message as Record<string, unknown>) : null;
      const content = Array.isArray(message?.content) ? (message.content as unknown[]) : [];
      const texts = content
        .map((b) => (b && typeof b === "object" && (b as Record<string, unknown>).type === "text" ? str((b as Record<string, unknown>).text) : null))
        .filter((t): t is string => t !== null);
      if (texts.length > 0) s.lastAssistantText = texts.join("\n");
      const model = str(message?.model);
      if (model && !s.model) s.model = model;
      return;
    }
    if (e.type === "result") {
      s.hasResult = true;
      if (sessionId) s.sessionId = sessionId;
      s.isError = e.is_error === true;
      s.subtype = str(e.subtype);
      s.resultText = typeof e.result === "string" ? e.result : s.resultText;
      const usage = e.usage && typeof e.usage === "object" ? (e.usage as Record<string, unknown>) : null;
      if (usage) {
        s.usage = {
          inputTokens: count(usage.input_tokens),
          outputTokens: count(usage.output_tokens),
          cachedInputTokens: count(usage.cache_read_input_tokens),
        };
      }
      if (typeof e.total_cost_usd === "number" && Number.isFinite(e.total_cost_usd) && e.total_cost_usd >= 0) s.costUsd = e.total_cost_usd;
    }
  }
}

/** Parses a whole captured stream at once (tests, small outputs). */
export function parseClaudeStreamJson(text: string): ClaudeStreamSummary {
  const parser = new ClaudeStreamParser();
  parser.push(text);
  return parser.end();
}

/** Claude summaries are kept to 2 KB (the shared cap with Claude's own default). */
export function truncateSummary(text: string | null, max = SUMMARY_MAX_CHARS): string | null {
  return truncateText(text, max);
}

const UNKNOWN_SESSION = /no conversation found with session id/i;
const AUTH_FAILURE = /invalid api key|please run \/login|not logged in|authentication_error|oauth token has expired/i;

export function isUnknownSessionError(text: string): boolean {
  return UNKNOWN_SESSION.test(text);
}

export function isAuthFailure(text: string): boolean {
  return AUTH_FAILURE.test(text);
}
