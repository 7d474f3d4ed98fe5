/**
 * `hermes_local` in the terminal: Hermes already prints readable text, so lines pass through;
 * the session line is shortened to `session <id>` and blank lines are dropped unless `debug`.
 */
import { sessionIdOfLine } from "../output.js";

export function formatStdoutEvent(line: string, debug: boolean): string | null {
  const text = line.replace(/\s+$/, "");
  if (!text.trim()) return debug ? "" : null;
  const sessionId = sessionIdOfLine(text);
  if (sessionId) return `session ${sessionId}`;
  return text;
}
