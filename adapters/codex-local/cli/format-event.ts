/**
 * cli part of `codex_local`: one `codex exec --json` line → terminal text, through the same parser
 * the board uses. Debug mode also prints the raw event, and prints events that have nothing to show.
 */
import { formatTranscriptEntries } from "../../process/cli/format-entries.js";
import { parseStdoutLine } from "../ui/parse-stdout.js";

export function formatStdoutEvent(line: string, debug: boolean): string | null {
  if (typeof line !== "string" || !line.trim()) return null;
  const text = formatTranscriptEntries(parseStdoutLine(line, ""));
  const isJson = line.trim().startsWith("{");
  if (!debug || !isJson) return text;
  return text ? `${text}\n  raw: ${line.trim()}` : `raw: ${line.trim()}`;
}
