/**
 * cli part of `gemini_local`: one stdout line → terminal text. Normal mode prints what a person wants
 * to follow (assistant text, tool calls and results, errors, the final token counts); debug mode also
 * prints the raw event lines and those the parser does not render.
 */
import { formatTranscriptEntries } from "../../utils/format-entries.js";
import { parseStdoutLine } from "../ui/parse-stdout.js";

export function formatStdoutEvent(line: string, debug: boolean): string | null {
  if (typeof line !== "string" || !line.trim()) return null;
  const text = formatTranscriptEntries(parseStdoutLine(line, ""));
  if (!debug) return text;
  const raw = `[gemini] ${line.trim()}`;
  return text ? `${raw}\n${text}` : raw;
}
