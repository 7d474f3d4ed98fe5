/**
 * `hermes_local` transcript: Hermes prints plain text, so each stdout line is the reply, a tool
 * progress line (`┊ …`, shown as system), or metadata (`session_id:` → init, token and cost lines →
 * system). Pure and total: never throws, whatever the line holds.
 */
import type { TranscriptEntry } from "../../types.js";
import { costOfLine, isNoiseLine, replyOfLine, sessionIdOfLine, tokensOfLine } from "../output.js";

export function parseStdoutLine(line: string, ts: string): TranscriptEntry[] {
  const text = line.replace(/\s+$/, "");
  if (!text.trim()) return [];
  const sessionId = sessionIdOfLine(text);
  if (sessionId) return [{ kind: "init", ts, model: "", sessionId }];
  if (tokensOfLine(text) || costOfLine(text) !== null || isNoiseLine(text)) return [{ kind: "system", ts, text: text.trim() }];
  return [{ kind: "assistant", ts, text: replyOfLine(text) }];
}
