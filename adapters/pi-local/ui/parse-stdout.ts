/**
 * `pi_local` transcript: one `pi --mode json` stdout line → entries for the run viewer. Complete
 * messages (`message_end`) are shown rather than streaming deltas, so each reply appears once; tool
 * results come from `tool_execution_end`; `agent_end` becomes the result line with summed usage.
 * Pure and total: bad input gives a plain stdout entry or nothing, never an exception.
 */
import type { TranscriptEntry } from "../../types.js";
import { asRecord, contentText, isFailedStop, readAssistantMessage, readPiEvent, roleOf, sumUsage, type PiAssistantMessage, type PiEvent } from "../events.js";

function assistantEntries(message: PiAssistantMessage, ts: string): TranscriptEntry[] {
  const entries: TranscriptEntry[] = [];
  if (message.thinking.trim()) entries.push({ kind: "thinking", ts, text: message.thinking });
  if (message.text.trim()) entries.push({ kind: "assistant", ts, text: message.text });
  for (const call of message.toolCalls) entries.push({ kind: "tool_call", ts, name: call.name, input: call.arguments, toolUseId: call.id });
  if (isFailedStop(message.stopReason)) entries.push({ kind: "stderr", ts, text: message.errorMessage ?? `Pi stopped the turn (${message.stopReason})` });
  return entries;
}

function resultEntry(event: PiEvent, ts: string): TranscriptEntry[] {
  const messages = (Array.isArray(event.messages) ? event.messages : [])
    .map(readAssistantMessage)
    .filter((m): m is PiAssistantMessage => m !== null);
  const totals = sumUsage(messages);
  const last = messages.at(-1) ?? null;
  const isError = last !== null && isFailedStop(last.stopReason);
  const text = [...messages].reverse().find((m) => m.text.trim())?.text ?? "";
  return [
    {
      kind: "result",
      ts,
      text,
      inputTokens: totals.input + totals.cacheWrite,
      outputTokens: totals.output,
      cachedTokens: totals.cacheRead,
      costUsd: totals.costUsd ?? 0,
      subtype: last?.stopReason ?? "unknown",
      isError,
      errors: isError ? [last.errorMessage ?? `stopReason ${last.stopReason}`] : [],
    },
  ];
}

function eventEntries(event: PiEvent, ts: string): TranscriptEntry[] {
  switch (event.type) {
    case "session":
      return typeof event.id === "string" ? [{ kind: "init", ts, model: "", sessionId: event.id }] : [];
    case "message_end": {
      const role = roleOf(event.message);
      if (role === "user") {
        const text = contentText(asRecord(event.message)?.content);
        return text.trim() ? [{ kind: "user", ts, text }] : [];
      }
      const assistant = readAssistantMessage(event.message);
      return assistant ? assistantEntries(assistant, ts) : [];
    }
    case "tool_execution_end": {
      const result = asRecord(event.result);
      return [
        {
          kind: "tool_result",
          ts,
          toolUseId: typeof event.toolCallId === "string" ? event.toolCallId : "",
          ...(typeof event.toolName === "string" ? { toolName: event.toolName } : {}),
          content: contentText(result?.content ?? event.result),
          isError: event.isError === true,
        },
      ];
    }
    case "agent_end":
      return resultEntry(event, ts);
    case "auto_retry_start":
      return [{ kind: "system", ts, text: `Pi is retrying a provider error${typeof event.errorMessage === "string" ? `: ${event.errorMessage}` : ""}` }];
    case "auto_compaction_start":
    case "compaction_start":
      return [{ kind: "system", ts, text: "Pi is compacting the conversation" }];
    default:
      return [];
  }
}

export function parseStdoutLine(line: string, ts: string): TranscriptEntry[] {
  const text = line.trim();
  if (!text) return [];
  const event = readPiEvent(text);
  return event ? eventEntries(event, ts) : [{ kind: "stdout", ts, text }];
}
