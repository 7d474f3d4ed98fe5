/**
 * cli part of `codex_local`: one `codex exec --json` line → terminal text, through the same parser
 * the board uses. Debug mode also prints the raw event, and prints events that have nothing to show.
 */
import { formatJsonEventLine } from "../../utils/format-entries.js";
import { parseStdoutLine } from "../ui/parse-stdout.js";

export function formatStdoutEvent(line: string, debug: boolean): string | null {
  return formatJsonEventLine(line, debug, parseStdoutLine);
}
