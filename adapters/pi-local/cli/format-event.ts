/**
 * `pi_local` in the terminal: one `pi --mode json` stdout line → one readable line (or none).
 * Shows the session, finished replies, tool calls and results, errors and the final totals;
 * streaming deltas and bookkeeping events only appear with `debug`.
 */
import { asRecord, contentText, isFailedStop, readAssistantMessage, readPiEvent, sumUsage, type PiAssistantMessage } from "../events.js";

const clip = (s: string, max = 200) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

function formatAssistant(message: PiAssistantMessage): string | null {
  const lines: string[] = [];
  if (message.text.trim()) lines.push(message.text.trim());
  for (const call of message.toolCalls) lines.push(`→ ${call.name} ${clip(JSON.stringify(call.arguments) ?? "")}`);
  if (isFailedStop(message.stopReason)) lines.push(`error: ${message.errorMessage ?? `stopped (${message.stopReason})`}`);
  return lines.length > 0 ? lines.join("\n") : null;
}

export function formatStdoutEvent(line: string, debug: boolean): string | null {
  const text = line.trim();
  if (!text) return null;
  const event = readPiEvent(text);
  if (!event) return text;
  switch (event.type) {
    case "session":
      return `session ${typeof event.id === "string" ? event.id : "?"}`;
    case "message_end": {
      const assistant = readAssistantMessage(event.message);
      return assistant ? formatAssistant(assistant) : debug ? text : null;
    }
    case "tool_execution_end": {
      const name = typeof event.toolName === "string" ? event.toolName : "tool";
      const output = contentText(asRecord(event.result)?.content).trim().split("\n")[0] ?? "";
      return `← ${name}${event.isError === true ? " (error)" : ""}${output ? `: ${clip(output)}` : ""}`;
    }
    case "agent_end": {
      const messages = (Array.isArray(event.messages) ? event.messages : []).map(readAssistantMessage).filter((m): m is PiAssistantMessage => m !== null);
      const t = sumUsage(messages);
      const cost = t.costUsd === null ? "" : `, $${t.costUsd.toFixed(4)}`;
      return `done: ${t.input + t.cacheWrite} input (${t.cacheRead} cached) / ${t.output} output tokens${cost}`;
    }
    case "auto_retry_start":
      return `retrying: ${typeof event.errorMessage === "string" ? event.errorMessage : "provider error"}`;
    default:
      return debug ? text : null;
  }
}
