/**
 * ui part of `opencode_local`: one line of `opencode run --format json` → transcript entries for the
 * run viewer. Pure and deterministic (the viewer memoises by line); never throws — a line that is not
 * an OpenCode event is shown as plain stdout.
 */
import type { TranscriptEntry } from "../../types.js";
import { asRecord, parseJsonObject } from "../../utils/jsonl.js";

type Json = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

function parseEvent(line: string): Json | null {
  const event = parseJsonObject(line);
  return event && typeof event.type === "string" ? event : null;
}

/** Message of an OpenCode error object: `{name, data: {message}}`. */
export function opencodeErrorText(raw: unknown): string {
  const e = asRecord(raw);
  if (!e) return str(raw) ?? "OpenCode reported an error";
  return str(asRecord(e.data)?.message) ?? str(e.message) ?? str(e.name) ?? "OpenCode reported an error";
}

function toolEntries(part: Json, ts: string): TranscriptEntry[] {
  const state = asRecord(part.state) ?? {};
  const name = str(part.tool) ?? "tool";
  const toolUseId = str(part.callID) ?? str(part.id) ?? name;
  const entries: TranscriptEntry[] = [{ kind: "tool_call", ts, name, input: state.input ?? null, toolUseId }];
  if (state.status === "completed" || state.status === "error") {
    const isError = state.status === "error";
    const content = isError ? (str(state.error) ?? "tool failed") : (str(state.output) ?? "");
    entries.push({ kind: "tool_result", ts, toolUseId, toolName: name, content, isError });
  }
  return entries;
}

export function parseStdoutLine(line: string, ts: string): TranscriptEntry[] {
  const event = parseEvent(line);
  if (!event) return line.trim() ? [{ kind: "stdout", ts, text: line }] : [];
  const part = asRecord(event.part) ?? {};
  switch (event.type) {
    case "text": {
      const text = str(part.text);
      return text ? [{ kind: "assistant", ts, text }] : [];
    }
    case "reasoning": {
      const text = str(part.text);
      return text ? [{ kind: "thinking", ts, text }] : [];
    }
    case "tool_use":
      return toolEntries(part, ts);
    case "step_finish": {
      const tokens = asRecord(part.tokens) ?? {};
      const input = num(tokens.input);
      const output = num(tokens.output) + num(tokens.reasoning);
      const cached = num(asRecord(tokens.cache)?.read);
      const cost = num(part.cost);
      const reason = str(part.reason) ?? "step";
      return [{ kind: "system", ts, text: `step finished (${reason}): ${input} in, ${output} out, ${cached} cached, $${cost.toFixed(4)}` }];
    }
    case "error":
      return [{ kind: "stderr", ts, text: `OpenCode error: ${opencodeErrorText(event.error)}` }];
    case "step_start":
    case "done":
      return [];
    default:
      return [{ kind: "system", ts, text: `${String(event.type)} event` }];
  }
}
