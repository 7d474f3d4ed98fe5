/**
 * ui part of `cursor`: one line of the Cursor Agent CLI's stream-json → transcript entries for the run
 * viewer. Pure and deterministic (the viewer memoises by line); never throws — a line that is not a
 * Cursor event is shown as plain stdout.
 */
import type { TranscriptEntry } from "../../types.js";
import { asRecord, parseJsonObject } from "../../utils/jsonl.js";
import { cursorCostOf, cursorSessionIdOf, cursorToolErrorOf, cursorToolOf, cursorUsageOf } from "../server/parse.js";

type Json = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

function parseEvent(line: string): Json | null {
  const event = parseJsonObject(line);
  return event && typeof event.type === "string" ? event : null;
}

function messageText(e: Json): string {
  const content = asRecord(e.message)?.content;
  if (typeof content === "string") return content;
  return (Array.isArray(content) ? content : [])
    .map((b) => asRecord(b))
    .filter((b): b is Json => b !== null && b.type === "text" && typeof b.text === "string")
    .map((b) => b.text as string)
    .join("");
}

function toolResultContent(body: Json): string {
  const result = asRecord(body.result);
  if (!result) return "";
  const success = asRecord(result.success);
  if (success) return str(success.content) ?? str(success.output) ?? str(success.stdout) ?? JSON.stringify(success);
  return JSON.stringify(result);
}

export function parseStdoutLine(line: string, ts: string): TranscriptEntry[] {
  const event = parseEvent(line);
  if (!event) return line.trim() ? [{ kind: "stdout", ts, text: line }] : [];
  switch (event.type) {
    case "system":
      return event.subtype === "init" || event.subtype === undefined ? [{ kind: "init", ts, model: str(event.model) ?? "unknown", sessionId: cursorSessionIdOf(event) ?? "" }] : [];
    case "user": {
      const text = messageText(event);
      return text ? [{ kind: "user", ts, text }] : [];
    }
    case "assistant": {
      const text = messageText(event);
      return text ? [{ kind: "assistant", ts, text }] : [];
    }
    case "thinking": {
      const text = str(event.text);
      return text ? [{ kind: "thinking", ts, text, delta: event.subtype === "delta" }] : [];
    }
    case "tool_call": {
      const tool = cursorToolOf(event.tool_call);
      const toolUseId = str(event.call_id) ?? tool.name;
      if (event.subtype === "started") return [{ kind: "tool_call", ts, name: tool.name, input: tool.body.args ?? tool.body.arguments ?? null, toolUseId }];
      if (event.subtype !== "completed") return [];
      const error = cursorToolErrorOf(tool.body);
      return [{ kind: "tool_result", ts, toolUseId, toolName: tool.name, content: error ?? toolResultContent(tool.body), isError: error !== null }];
    }
    case "result": {
      const usage = cursorUsageOf(event.usage);
      const isError = event.is_error === true || (typeof event.subtype === "string" && event.subtype !== "success");
      const text = str(event.result) ?? "";
      return [
        {
          kind: "result",
          ts,
          text,
          inputTokens: usage?.inputTokens ?? 0,
          outputTokens: usage?.outputTokens ?? 0,
          cachedTokens: usage?.cachedInputTokens ?? 0,
          costUsd: cursorCostOf(event) ?? 0,
          subtype: str(event.subtype) ?? (isError ? "error" : "success"),
          isError,
          errors: isError ? [str(event.error) ?? (text || "Cursor reported an error")] : [],
        },
      ];
    }
    case "error":
      return [{ kind: "stderr", ts, text: `Cursor error: ${str(event.message) ?? str(asRecord(event.error)?.message) ?? str(event.error) ?? "unknown error"}` }];
    default:
      return [{ kind: "system", ts, text: `${String(event.type)} event` }];
  }
}
