/**
 * Reading `opencode run --format json` output: one JSON event per line, each
 * `{type, timestamp, sessionID, part | error}` with type `step_start`, `text`, `reasoning`, `tool_use`,
 * `step_finish`, `error` or `done`. Output is agent-controlled: lines that are not JSON objects are
 * counted and skipped, every field is type-checked, and what is kept is capped. Fed incrementally,
 * so chunks may split a line anywhere.
 */
import type { UsageSummary } from "../../types.js";
import { asRecord, jsonEventLines } from "../../utils/jsonl.js";
import { SUMMARY_MAX_CHARS } from "../../utils/text.js";

const MAX_KEPT_ERRORS = 20;
const MAX_ERROR_CHARS = 2000;

export interface OpencodeError {
  /** OpenCode's error class: `ProviderAuthError`, `APIError`, `UnknownError`, … */
  name: string | null;
  message: string;
  statusCode: number | null;
}

export interface OpencodeToolError {
  tool: string;
  error: string;
}

export interface OpencodeParseState {
  sessionId: string | null;
  usage: Required<UsageSummary>;
  /** Sum of `step_finish` costs; null when no step reported one. */
  costUsd: number | null;
  steps: number;
  /** Text of the last `text` event: the run's summary. */
  lastText: string | null;
  toolErrors: OpencodeToolError[];
  errors: OpencodeError[];
  /** `done` event seen: OpenCode reached idle normally. */
  done: boolean;
  events: number;
  nonJsonLines: number;
}

type Json = Record<string, unknown>;
const count = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0);
const text = (v: unknown, max = MAX_ERROR_CHARS): string | null => (typeof v === "string" && v.trim() ? v.trim().slice(0, max) : null);
const sessionIdOf = (v: unknown): string | null => (typeof v === "string" && /^[\w.:-]{1,200}$/.test(v) ? v : null);

/** `{name, data: {message, statusCode?}}` (OpenCode's NamedError) or a bare `{message}`. */
export function opencodeErrorOf(raw: unknown): OpencodeError {
  const e = asRecord(raw);
  if (!e) return { name: null, message: text(raw) ?? "OpenCode reported an error", statusCode: null };
  const data = asRecord(e.data);
  const name = text(e.name, 100);
  const message = text(data?.message) ?? text(e.message) ?? name ?? "OpenCode reported an error";
  const status = data?.statusCode ?? e.statusCode;
  return { name, message, statusCode: typeof status === "number" && Number.isInteger(status) ? status : null };
}

export class OpencodeJsonlParser {
  private readonly lines = jsonEventLines(
    (type, event) => this.event(type, event),
    () => this.state.nonJsonLines++,
  );
  readonly state: OpencodeParseState = {
    sessionId: null,
    usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 },
    costUsd: null,
    steps: 0,
    lastText: null,
    toolErrors: [],
    errors: [],
    done: false,
    events: 0,
    nonJsonLines: 0,
  };

  push(chunk: string): void {
    this.lines.push(chunk);
  }

  end(): OpencodeParseState {
    this.lines.end();
    return this.state;
  }

  private event(type: string, e: Json): void {
    const s = this.state;
    s.events++;
    const part = asRecord(e.part);
    const sessionId = sessionIdOf(e.sessionID) ?? sessionIdOf(part?.sessionID);
    if (sessionId) s.sessionId = sessionId;
    switch (type) {
      case "text": {
        const value = typeof part?.text === "string" ? part.text : null;
        if (value && value.trim()) s.lastText = value.length > SUMMARY_MAX_CHARS * 4 ? value.slice(-SUMMARY_MAX_CHARS * 4) : value;
        break;
      }
      case "step_finish": {
        s.steps++;
        const tokens = asRecord(part?.tokens);
        if (tokens) {
          // OpenCode's `input` already excludes cache reads (it subtracts them for providers that include them).
          s.usage.inputTokens += count(tokens.input);
          // Reasoning tokens are billed as output.
          s.usage.outputTokens += count(tokens.output) + count(tokens.reasoning);
          s.usage.cachedInputTokens += count(asRecord(tokens.cache)?.read);
        }
        if (typeof part?.cost === "number" && Number.isFinite(part.cost) && part.cost >= 0) s.costUsd = (s.costUsd ?? 0) + part.cost;
        break;
      }
      case "tool_use": {
        const state = asRecord(part?.state);
        if (state?.status === "error" && s.toolErrors.length < MAX_KEPT_ERRORS) {
          s.toolErrors.push({ tool: text(part?.tool, 100) ?? "tool", error: text(state.error) ?? "tool failed" });
        }
        break;
      }
      case "error":
        if (s.errors.length < MAX_KEPT_ERRORS) s.errors.push(opencodeErrorOf(e.error));
        break;
      case "done":
        s.done = true;
        break;
      default:
        break;
    }
  }
}

export function parseOpencodeJsonl(stdout: string): OpencodeParseState {
  const parser = new OpencodeJsonlParser();
  parser.push(stdout);
  return parser.end();
}
