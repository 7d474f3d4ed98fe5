/**
 * Transcript entries → plain terminal text, shared by the CLI printers of the built-in adapters that
 * parse structured output (claude-local, codex-local, gemini-local): each adapter turns its line into
 * entries with its ui parser and prints them with this, so the CLI and the board never disagree
 * about what a line means. Long tool inputs and outputs are cut so a terminal stays readable.
 */
import type { StdoutLineParser, TranscriptEntry } from "../types.js";

const TOOL_INPUT_CHARS = 200;
const TOOL_OUTPUT_CHARS = 500;

function clip(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

function compactJson(value: unknown): string {
  try {
    return typeof value === "string" ? value : (JSON.stringify(value) ?? "");
  } catch {
    return String(value);
  }
}

export function formatTranscriptEntry(entry: TranscriptEntry): string | null {
  switch (entry.kind) {
    case "assistant":
      return entry.text;
    case "thinking":
      return `thinking: ${entry.text}`;
    case "user":
      return `user: ${entry.text}`;
    case "tool_call":
      return `tool ${entry.name}: ${clip(compactJson(entry.input), TOOL_INPUT_CHARS)}`;
    case "tool_result":
      return `tool result${entry.toolName ? ` (${entry.toolName})` : ""}${entry.isError ? " [error]" : ""}: ${clip(entry.content, TOOL_OUTPUT_CHARS)}`;
    case "init":
      return `session ${entry.sessionId || "(new)"}${entry.model ? ` · model ${entry.model}` : ""}`;
    case "result": {
      const cost = entry.costUsd > 0 ? ` · $${entry.costUsd.toFixed(4)}` : "";
      const head = `${entry.isError ? "failed" : "done"} (${entry.subtype || "result"}) · tokens in ${entry.inputTokens}, out ${entry.outputTokens}, cached ${entry.cachedTokens}${cost}`;
      const lines = [head, ...(entry.text ? [entry.text] : []), ...entry.errors.map((e) => `error: ${e}`)];
      return lines.join("\n");
    }
    case "stderr":
    case "system":
    case "stdout":
      return entry.text;
  }
}

/** Entries of one line → terminal text (null when nothing is worth printing). */
export function formatTranscriptEntries(entries: TranscriptEntry[]): string | null {
  const lines = entries.map(formatTranscriptEntry).filter((l): l is string => l !== null && l !== "");
  return lines.length > 0 ? lines.join("\n") : null;
}

/**
 * One stdout line of a JSON-event CLI → terminal text through the adapter's ui `parse`. Debug mode
 * also shows the raw event under what it rendered, and shows events that render nothing.
 */
export function formatJsonEventLine(line: string, debug: boolean, parse: StdoutLineParser): string | null {
  if (typeof line !== "string" || !line.trim()) return null;
  const text = formatTranscriptEntries(parse(line, ""));
  const raw = line.trim();
  if (!debug || !raw.startsWith("{")) return text;
  return text ? `${text}\n  raw: ${raw}` : `raw: ${raw}`;
}
