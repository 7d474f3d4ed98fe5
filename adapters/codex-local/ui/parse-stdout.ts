/**
 * ui part of `codex_local`: one line of `codex exec --json` output → transcript entries.
 * `thread.started` → init, `item.*` (agent_message, reasoning, command_execution, mcp_tool_call,
 * web_search, file_change, todo_list, error) → assistant / thinking / tool_call / tool_result /
 * system entries, `turn.completed` / `turn.failed` → result, `error` → stderr. A line that is not JSON
 * is shown as plain stdout; odd fields yield what can be read, and nothing here throws.
 */
import type { TranscriptEntry } from "../../types.js";
import { asRecord, parseJsonObject } from "../../utils/jsonl.js";
import { uncachedInputTokens } from "../../utils/usage.js";

const MAX_CONTENT_CHARS = 64 * 1024;

type Json = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const count = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0);
const cap = (text: string): string => (text.length <= MAX_CONTENT_CHARS ? text : `${text.slice(0, MAX_CONTENT_CHARS - 1)}…`);

function stringify(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}

/** Codex renamed `item_type` to `type` (and `assistant_message` to `agent_message`); read both. */
const itemTypeOf = (item: Json): string => str(item.type) || str(item.item_type);
const mcpToolName = (item: Json): string => [str(item.server), str(item.tool)].filter(Boolean).join(".") || "mcp_tool_call";

function startedItem(item: Json, ts: string): TranscriptEntry[] {
  const id = str(item.id);
  switch (itemTypeOf(item)) {
    case "command_execution":
      return [{ kind: "tool_call", ts, name: "command_execution", input: { command: str(item.command) }, ...(id ? { toolUseId: id } : {}) }];
    case "mcp_tool_call":
      return [{ kind: "tool_call", ts, name: mcpToolName(item), input: item.arguments ?? {}, ...(id ? { toolUseId: id } : {}) }];
    default:
      return [];
  }
}

function completedItem(item: Json, ts: string): TranscriptEntry[] {
  const id = str(item.id);
  switch (itemTypeOf(item)) {
    case "agent_message":
    case "assistant_message":
      return str(item.text) ? [{ kind: "assistant", ts, text: cap(str(item.text)) }] : [];
    case "reasoning":
      return str(item.text) ? [{ kind: "thinking", ts, text: cap(str(item.text)) }] : [];
    case "command_execution": {
      const exit = typeof item.exit_code === "number" ? item.exit_code : null;
      const output = str(item.aggregated_output);
      const content = exit === null ? output : `${output}${output && !output.endsWith("\n") ? "\n" : ""}exit code ${exit}`;
      return [{ kind: "tool_result", ts, toolUseId: id, toolName: "command_execution", content: cap(content), isError: item.status === "failed" || (exit !== null && exit !== 0) }];
    }
    case "mcp_tool_call": {
      const error = asRecord(item.error);
      const content = error ? str(error.message) : stringify(item.result ?? "");
      return [{ kind: "tool_result", ts, toolUseId: id, toolName: mcpToolName(item), content: cap(content), isError: item.status === "failed" || error !== null }];
    }
    case "web_search":
      return [{ kind: "tool_call", ts, name: "web_search", input: { query: str(item.query) }, ...(id ? { toolUseId: id } : {}) }];
    case "file_change": {
      const changes = Array.isArray(item.changes) ? item.changes.map(asRecord).filter((c): c is Json => c !== null) : [];
      const list = changes.map((c) => `${str(c.kind) || "change"} ${str(c.path)}`.trim()).join(", ");
      return [{ kind: "system", ts, text: cap(`file changes${item.status === "failed" ? " (failed)" : ""}: ${list || "none listed"}`) }];
    }
    case "todo_list": {
      const items = Array.isArray(item.items) ? item.items.map(asRecord).filter((t): t is Json => t !== null) : [];
      return [{ kind: "system", ts, text: cap(`todo: ${items.map((t) => `[${t.completed === true ? "x" : " "}] ${str(t.text)}`).join("; ")}`) }];
    }
    case "error":
      return str(item.message) ? [{ kind: "stderr", ts, text: cap(str(item.message)) }] : [];
    default:
      return [];
  }
}

function turnResult(event: Json, ts: string, failed: boolean): TranscriptEntry {
  const usage = asRecord(event.usage) ?? {};
  const message = failed ? str(asRecord(event.error)?.message) || str(event.message) || "Codex turn failed" : "";
  const cached = count(usage.cached_input_tokens);
  return {
    kind: "result",
    ts,
    text: cap(message),
    // Switchboard's meaning, as on the run's cost: uncached input (Codex's input_tokens includes the cached ones).
    inputTokens: uncachedInputTokens(count(usage.input_tokens), cached),
    outputTokens: count(usage.output_tokens),
    cachedTokens: cached,
    costUsd: 0, // Codex reports no cost
    subtype: failed ? "turn.failed" : "turn.completed",
    isError: failed,
    errors: failed ? [cap(message)] : [],
  };
}

export function parseStdoutLine(line: string, ts: string): TranscriptEntry[] {
  if (typeof line !== "string") return [];
  const trimmed = line.trim();
  if (!trimmed) return [];
  const event = parseJsonObject(trimmed);
  if (!event) return [{ kind: "stdout", ts, text: line }];
  const item = asRecord(event.item);
  switch (event.type) {
    case "thread.started":
      return str(event.thread_id) ? [{ kind: "init", ts, model: "", sessionId: str(event.thread_id) }] : [];
    case "item.started":
      return item ? startedItem(item, ts) : [];
    case "item.completed":
      return item ? completedItem(item, ts) : [];
    case "turn.completed":
      return [turnResult(event, ts, false)];
    case "turn.failed":
      return [turnResult(event, ts, true)];
    case "error": {
      const message = str(event.message) || str(asRecord(event.error)?.message);
      return message ? [{ kind: "stderr", ts, text: cap(message) }] : [];
    }
    default:
      return []; // turn.started, item.updated and future events: nothing to show on their own
  }
}
