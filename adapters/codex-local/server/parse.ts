/**
 * Reading `codex exec --json` output: one JSON event per line (`thread.started`, `turn.started`,
 * `item.completed`, `turn.completed`, `turn.failed`, `error`). Output is agent-controlled, so lines
 * that are not JSON objects are skipped and every field is type-checked. Incremental: chunks may
 * split a line anywhere.
 */
import type { UsageSummary } from "../../types.js";
import { asRecord, jsonEventLines } from "../../utils/jsonl.js";
import { classifyProviderFailure } from "../../utils/provider-failure.js";
import { uncachedInputTokens } from "../../utils/usage.js";

export const MAX_SUMMARY_BYTES = 2048;

export interface CodexParseState {
  threadId: string | null;
  /** Summed over turns; `inputTokens` is uncached (Codex's `input_tokens` includes the cached ones). */
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

export class CodexJsonlParser {
  private readonly lines = jsonEventLines(
    (type, event) => this.event(type, event),
    () => this.state.nonJsonLines++,
  );
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
    this.lines.push(chunk);
  }

  /** Flushes a last line without a trailing newline. */
  end(): CodexParseState {
    this.lines.end();
    return this.state;
  }

  private event(type: string, e: Record<string, unknown>): void {
    const s = this.state;
    s.events++;
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
          const cached = count(usage.cached_input_tokens);
          s.usage.inputTokens += uncachedInputTokens(count(usage.input_tokens), cached);
          s.usage.cachedInputTokens += cached;
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

/** Codex's own login hint; the common auth and quota phrases are in utils/provider-failure.ts. */
const CODEX_AUTH_PATTERN = /codex login/i;
const UNKNOWN_THREAD_PATTERN = /no rollout found|(thread|session|conversation)[^\n]{0,80}not found|unknown (thread|session)|(thread|session) does not exist/i;

/** What a failure's text says about its cause; the most actionable kind wins (auth, then quota, then the thread). */
export function classifyCodexFailure(text: string): CodexFailureKind {
  return classifyProviderFailure(text, { auth: CODEX_AUTH_PATTERN }) ?? (UNKNOWN_THREAD_PATTERN.test(text) ? "unknown_thread" : null);
}
