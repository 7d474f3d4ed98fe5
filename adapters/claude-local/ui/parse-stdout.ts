/**
 * ui part of `claude_local`: one line of Claude Code's stream-json output → transcript entries.
 * `system/init` → init, `assistant` blocks → assistant / thinking / tool_call, `user` tool results →
 * tool_result, `result` → result. A line that is not JSON is shown as plain stdout; an event with
 * unexpected fields yields what can be read and never throws (the board calls this on agent output).
 */
import type { TranscriptEntry } from "../../types.js";
import { asRecord, parseJsonObject } from "../../utils/jsonl.js";

/** Enough of a tool's output to read in a transcript, not a whole file dump. */
const MAX_CONTENT_CHARS = 64 * 1024;

type Json = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const count = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0);
const cap = (text: string): string => (text.length <= MAX_CONTENT_CHARS ? text : `${text.slice(0, MAX_CONTENT_CHARS - 1)}…`);

/** A tool_result's content: a string, or an array of `{type:"text", text}` blocks. */
function toolResultText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((b) => asRecord(b))
    .map((b) => (b && b.type === "text" ? str(b.text) : b && b.type === "image" ? "[image]" : ""))
    .filter(Boolean)
    .join("\n");
}

function contentBlocks(event: Json): Json[] {
  const content = asRecord(event.message)?.content;
  if (typeof content === "string") return [{ type: "text", text: content }];
  return Array.isArray(content) ? content.map(asRecord).filter((b): b is Json => b !== null) : [];
}

function assistantEntries(event: Json, ts: string): TranscriptEntry[] {
  const entries: TranscriptEntry[] = [];
  for (const block of contentBlocks(event)) {
    if (block.type === "text" && str(block.text)) entries.push({ kind: "assistant", ts, text: cap(str(block.text)) });
    else if (block.type === "thinking" && str(block.thinking)) entries.push({ kind: "thinking", ts, text: cap(str(block.thinking)) });
    else if (block.type === "tool_use" && str(block.name)) {
      entries.push({ kind: "tool_call", ts, name: str(block.name), input: block.input ?? {}, ...(str(block.id) ? { toolUseId: str(block.id) } : {}) });
    }
  }
  return entries;
}

function userEntries(event: Json, ts: string): TranscriptEntry[] {
  const entries: TranscriptEntry[] = [];
  for (const block of contentBlocks(event)) {
    if (block.type === "tool_result") {
      entries.push({ kind: "tool_result", ts, toolUseId: str(block.tool_use_id), content: cap(toolResultText(block.content)), isError: block.is_error === true });
    } else if (block.type === "text" && str(block.text)) {
      entries.push({ kind: "user", ts, text: cap(str(block.text)) });
    }
  }
  return entries;
}

function resultEntry(event: Json, ts: string): TranscriptEntry {
  const usage = asRecord(event.usage) ?? {};
  const isError = event.is_error === true;
  const text = cap(str(event.result));
  const listed = Array.isArray(event.errors) ? event.errors.filter((e): e is string => typeof e === "string").map(cap) : [];
  return {
    kind: "result",
    ts,
    text,
    inputTokens: count(usage.input_tokens),
    outputTokens: count(usage.output_tokens),
    cachedTokens: count(usage.cache_read_input_tokens),
    costUsd: count(event.total_cost_usd),
    subtype: str(event.subtype),
    isError,
    errors: listed.length > 0 ? listed : isError && text ? [text] : [],
  };
}

export function parseStdoutLine(line: string, ts: string): TranscriptEntry[] {
  if (typeof line !== "string") return [];
  const trimmed = line.trim();
  if (!trimmed) return [];
  const event = parseJsonObject(trimmed);
  if (!event) return [{ kind: "stdout", ts, text: line }];
  switch (event.type) {
    case "system":
      if (event.subtype === "init") return [{ kind: "init", ts, model: str(event.model), sessionId: str(event.session_id) }];
      return str(event.subtype) ? [{ kind: "system", ts, text: `system: ${str(event.subtype)}` }] : [];
    case "assistant":
      return assistantEntries(event, ts);
    case "user":
      return userEntries(event, ts);
    case "result":
      return [resultEntry(event, ts)];
    default:
      return []; // partial-message deltas and future event types: nothing to show on their own
  }
}
