/**
 * Reading `codex exec --json` output: one JSON event per line (`thread.started`, `turn.started`,
 * `item.completed`, `turn.completed`, `turn.failed`, `error`). Output is agent-controlled, so lines
 * that are not JSON objects are skipped and every field is type-checked. Incremental: chunks may
 * split a line anywhere.
 */
import type { UsageSummary } from "../../types.js";

export const MAX_SUMMARY_BYTES = 2048;
/** A single line longer than this is not an event we care about: it is dropped, not buffered forever. */
const MAX_LINE_CHARS = 1024 * 1024;

export interface CodexParseState {
  threadId: string | null;
  usage: Required<UsageSummary>;
  turnsCompleted: number;
  /** Text of the last agent_message item. */
  lastMessage: string | null;
  /** Message of the last `turn.failed`/`error` event not followed by a completed turn. */
  errorMessage: string | null;
  /** Every error message seen, for classification (auth, quota, unknown thread). */
  errorMessages: string[];
  events: number;
  nonJsonLines: number;
}

const count = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0);
const asRecord = (v: unknown): Record<string, unknown> | null => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

export class CodexJsonlParser {
  private pending = "";
  private skipping = false;
  readonly state: CodexParseState = {
    threadId: null,
    usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 },
    turnsCompleted: 0,
    lastMessage: null,
    errorMessage: null,
    errorMessages: [],
    events: 0,
    nonJsonLines: 0,
  };

  push(chunk: string): void {
    this.pending += chunk;
    let nl: number;
    while ((nl = this.pending.indexOf("\n")) >= 0) {
      const line = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      if (this.skipping) this.skipping = false;
      else this.line(line);
    }
    if (this.pending.length > MAX_LINE_CHARS) {
      this.pending = "";
      this.skipping = true;
      this.state.nonJsonLines++;
    }
  }

  /** Flushes a last line without a trailing newline. */
  end(): CodexParseState {
    if (this.pending && !this.skipping) this.line(this.pending);
    this.pending = "";
    this.skipping = false;
    return this.state;
  }

  private line(raw: string): void {
    const text = raw.trim();
    if (!text) return;
    let event: Record<string, unknown> | null = null;
    if (text.startsWith("{")) {
      try {
        event = asRecord(JSON.parse(text));
      } catch {
        event = null;
      }
    }
    if (!event || typeof event.type !== "string") {
      this.state.nonJsonLines++;
      return;
    }
    this.state.events++;
    this.event(event.type, event);
  }

  private event(type: string, e: Record<string, unknown>): void {
    const s = this.state;
    switch (type) {
      case "thread.started":
        if (typeof e.thread_id === "string" && e.thread_id.length > 0 && e.thread_id.length <= 200) s.threadId = e.thread_id;
        break;
      case "item.completed": {
        const item = asRecord(e.item);
        if (item && (item.type === "agent_message" || item.item_type === "agent_message") && typeof item.text === "string") s.lastMessage = item.text;
        break;
      }
      case "turn.completed": {
        const usage = asRecord(e.usage);
        if (usage) {
          s.usage.inputTokens += count(usage.input_tokens);
          s.usage.cachedInputTokens += count(usage.cached_input_tokens);
          s.usage.outputTokens += count(usage.output_tokens);
        }
        s.turnsCompleted++;
        s.errorMessage = null; // an earlier error (e.g. a reconnect notice) did not stop the turn
        break;
      }
      case "turn.failed": {
        const message = errorText(asRecord(e.error)?.message) ?? errorText(e.message) ?? "Codex turn failed";
        s.errorMessage = message;
        s.errorMessages.push(message);
        break;
      }
      case "error": {
        const message = errorText(e.message) ?? errorText(asRecord(e.error)?.message) ?? "Codex reported an error";
        s.errorMessage = message;
        s.errorMessages.push(message);
        break;
      }
      default:
        break;
    }
  }
}

function errorText(v: unknown): string | null {
  return typeof v === "string" && v.trim() ? v.trim().slice(0, 4000) : null;
}

export function parseCodexJsonl(stdout: string): CodexParseState {
  const parser = new CodexJsonlParser();
  parser.push(stdout);
  return parser.end();
}

/** Cuts text to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes = MAX_SUMMARY_BYTES): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = Buffer.from(text).subarray(0, maxBytes).toString("utf8");
  // A cut multi-byte sequence decodes to U+FFFD: drop it.
  while (out.endsWith("\uFFFD") || Buffer.byteLength(out) > maxBytes) out = out.slice(0, -1);
  return out;
}

export type CodexFailureKind = "auth_required" | "provider_quota" | "unknown_thread" | null;

const AUTH_PATTERN = /not logged in|401 unauthorized|\bunauthorized\b|please (log|sign) in|codex login|invalid api key|missing api key/i;
const QUOTA_PATTERN = /rate[ -]?limit|usage limit|quota|too many requests|\b429\b/i;
const UNKNOWN_THREAD_PATTERN = /no rollout found|(thread|session|conversation)[^\n]{0,80}not found|unknown (thread|session)|(thread|session) does not exist/i;

/** What a failure's text says about its cause; the most actionable kind wins. */
export function classifyCodexFailure(text: string): CodexFailureKind {
  if (AUTH_PATTERN.test(text)) return "auth_required";
  if (QUOTA_PATTERN.test(text)) return "provider_quota";
  if (UNKNOWN_THREAD_PATTERN.test(text)) return "unknown_thread";
  return null;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, sec: 1, second: 1, m: 60, min: 60, minute: 60, h: 3600, hr: 3600, hour: 3600, d: 86400, day: 86400 };

/**
 * When a quota message says when to retry: an ISO timestamp, "try again in 2 hours 5 minutes",
 * "retry after 30 seconds" or "resets in 45m". Returns an ISO string, or null when it says nothing usable.
 */
export function retryNotBeforeFrom(text: string, now: Date = new Date()): string | null {
  const iso = /\b(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))/.exec(text);
  if (iso) {
    const at = Date.parse(iso[1]!);
    if (Number.isFinite(at)) return new Date(at).toISOString();
  }
  const rel = /(?:try again|retry|resets?)\s+(?:in|after)\s+((?:\d+(?:\.\d+)?\s*(?:seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)\b[\s,and]*)+)/i.exec(text);
  if (!rel) return null;
  let seconds = 0;
  for (const m of rel[1]!.matchAll(/(\d+(?:\.\d+)?)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)\b/gi)) {
    const unit = m[2]!.toLowerCase().replace(/s$/, "") || "s";
    seconds += Number(m[1]) * (UNIT_SECONDS[unit] ?? UNIT_SECONDS[m[2]!.toLowerCase()] ?? 0);
  }
  return seconds > 0 ? new Date(now.getTime() + seconds * 1000).toISOString() : null;
}
