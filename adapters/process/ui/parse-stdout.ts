/**
 * ui part of `process`: a plain process prints whatever it likes, so every stdout line is shown as
 * it is (Paperclip's fallback parser does the same; external adapters without a parser use it too).
 */
import type { TranscriptEntry } from "../../types.js";

export function parseStdoutLine(line: string, ts: string): TranscriptEntry[] {
  return [{ kind: "stdout", ts, text: typeof line === "string" ? line : String(line) }];
}
