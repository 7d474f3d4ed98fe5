/**
 * ui part of `gemini_local`: one line of `gemini --output-format stream-json` → transcript entries
 * for the run viewer. Streamed assistant chunks (`delta: true`) stay separate entries marked `delta`
 * so the viewer can join them; a line that is not an event (a banner, a warning) is shown as stdout.
 * Deterministic and never throws, whatever the agent printed.
 */
import type { TranscriptEntry } from "../../types.js";
import { readGeminiEvent } from "../events.js";

export function parseStdoutLine(line: string, ts: string): TranscriptEntry[] {
  const raw = typeof line === "string" ? line : String(line);
  const event = readGeminiEvent(raw);
  if (!event) return raw.trim() ? [{ kind: "stdout", ts, text: raw }] : [];
  switch (event.type) {
    case "init":
      return [{ kind: "init", ts, model: event.model ?? "", sessionId: event.sessionId ?? "" }];
    case "message":
      if (event.role === "user") return [{ kind: "user", ts, text: event.text }];
      return [{ kind: "assistant", ts, text: event.text, ...(event.delta ? { delta: true } : {}) }];
    case "tool_use":
      return [{ kind: "tool_call", ts, name: event.name, input: event.input, ...(event.toolId ? { toolUseId: event.toolId } : {}) }];
    case "tool_result":
      return [{ kind: "tool_result", ts, toolUseId: event.toolId, content: event.content, isError: event.isError }];
    case "error":
      return [{ kind: event.severity === "warning" ? "system" : "stderr", ts, text: `${event.severity}: ${event.message}` }];
    case "result": {
      const usage = event.usage ?? { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
      return [
        {
          kind: "result",
          ts,
          text: event.text ?? "",
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
          cachedTokens: usage.cachedInputTokens,
          costUsd: event.costUsd ?? 0,
          subtype: event.isError ? (event.errorType ?? "error") : "success",
          isError: event.isError,
          errors: event.errorMessage ? [event.errorMessage] : [],
        },
      ];
    }
    case "other":
      return [];
  }
}
