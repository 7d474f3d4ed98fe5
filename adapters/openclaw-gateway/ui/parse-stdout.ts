/**
 * Run log line → transcript entries for `openclaw_gateway`. The adapter writes two kinds of lines:
 * `[openclaw-gateway:event] run=<id> stream=<s> data=<json>` for each gateway `agent` event, and
 * `[openclaw-gateway] …` for its own lifecycle notes. Pure and total: a malformed line becomes a plain
 * stdout entry, never an exception.
 */
import type { TranscriptEntry } from "../../types.js";

const EVENT_LINE = /^\[openclaw-gateway:event\] run=(\S+) stream=(\S+) data=(.*)$/;
const LIFECYCLE_LINE = /^\[openclaw-gateway\] (.*)$/;

export interface GatewayEventLine {
  runId: string;
  stream: string;
  data: Record<string, unknown>;
}

/** The parts of an event line, or null when the line is not one (or its JSON is cut or broken). */
export function parseEventLine(line: string): GatewayEventLine | null {
  const match = EVENT_LINE.exec(line.trim());
  if (!match) return null;
  try {
    const data: unknown = JSON.parse(match[3] ?? "");
    if (!data || typeof data !== "object" || Array.isArray(data)) return null;
    return { runId: match[1] ?? "", stream: match[2] ?? "", data: data as Record<string, unknown> };
  } catch {
    return null;
  }
}

const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);

function stringify(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return String(value);
  }
}

function eventEntries(event: GatewayEventLine, ts: string): TranscriptEntry[] {
  const { stream, data } = event;
  switch (stream) {
    case "assistant": {
      const delta = str(data.delta);
      if (delta) return [{ kind: "assistant", ts, text: delta, delta: true }];
      const text = str(data.text);
      return text ? [{ kind: "assistant", ts, text }] : [];
    }
    case "thinking":
    case "reasoning": {
      const text = str(data.delta) ?? str(data.text);
      return text ? [{ kind: "thinking", ts, text, delta: Boolean(str(data.delta)) }] : [];
    }
    case "tool": {
      const phase = str(data.phase) ?? "";
      const name = str(data.name) ?? "tool";
      const toolUseId = str(data.toolCallId) ?? str(data.id) ?? name;
      if (phase === "start") return [{ kind: "tool_call", ts, name, input: data.args ?? data.input ?? {}, toolUseId }];
      if (phase === "result" || phase === "end") {
        return [{ kind: "tool_result", ts, toolUseId, toolName: name, content: stringify(data.result ?? data.output ?? "").slice(0, 4000), isError: data.isError === true }];
      }
      return [];
    }
    case "lifecycle": {
      const phase = str(data.phase) ?? str(data.state) ?? "update";
      if (/^(error|failed)$/i.test(phase)) return [{ kind: "stderr", ts, text: `run ${event.runId} failed: ${str(data.error) ?? str(data.message) ?? "unknown error"}` }];
      return [{ kind: "system", ts, text: `run ${event.runId} ${phase}` }];
    }
    case "error":
      return [{ kind: "stderr", ts, text: str(data.error) ?? str(data.message) ?? stringify(data) }];
    default:
      return [{ kind: "system", ts, text: `${stream}: ${stringify(data).slice(0, 500)}` }];
  }
}

export function parseStdoutLine(line: string, ts: string): TranscriptEntry[] {
  const trimmed = line.trim();
  if (!trimmed) return [];
  const event = parseEventLine(trimmed);
  if (event) return eventEntries(event, ts);
  const lifecycle = LIFECYCLE_LINE.exec(trimmed);
  if (lifecycle) return [{ kind: "system", ts, text: lifecycle[1] ?? "" }];
  return [{ kind: "stdout", ts, text: trimmed }];
}
