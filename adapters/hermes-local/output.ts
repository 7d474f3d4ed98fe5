/**
 * Hermes prints plain text, not events: the reply, tool progress lines (`┊ …`) unless quiet, and
 * metadata lines — `session_id: 20260322_141501_ab12cd` (quiet mode; stdout in older releases,
 * stderr in newer ones), legacy `Session saved: <id>`, and token / cost lines. These line readers
 * are shared by the server parser, the run viewer and the CLI printer, so they import nothing.
 */

/** Quiet mode's `session_id: <id>` line. */
export const SESSION_ID_LINE = /^session_id:\s*(\S+)/;
/** Older output: `Session ID: <id>` / `session saved: <id>`, anchored so prose like "Use a session ID from…" never matches. */
export const LEGACY_SESSION_LINE = /^\s*session[_ ](?:id|saved)[:\s]+([A-Za-z0-9_-]+)\s*$/i;
/** `tokens: 1200 input, 340 output` and similar. */
export const TOKENS_PATTERN = /tokens?[:\s]+(\d+)\s*(?:input|in)\b.*?(\d+)\s*(?:output|out)\b/i;
/** `cost: $0.0345`, `spent $0.01`. */
export const COST_PATTERN = /(?:cost|spent)[:\s]*\$?([\d.]+)/i;
/** Token and cost figures only count on lines that start with the keyword, so a reply mentioning a cost is not read as one. */
const METADATA_START = /^[^\w$]*(?:total\s+|estimated\s+|session\s+)?(?:tokens?|cost|spent)\b/i;

const MAX_SESSION_ID_CHARS = 200;

export function sessionIdOfLine(line: string): string | null {
  const id = SESSION_ID_LINE.exec(line.trim())?.[1] ?? LEGACY_SESSION_LINE.exec(line)?.[1] ?? null;
  return id && id.length <= MAX_SESSION_ID_CHARS ? id : null;
}

export function tokensOfLine(line: string): { inputTokens: number; outputTokens: number } | null {
  if (!METADATA_START.test(line)) return null;
  const m = TOKENS_PATTERN.exec(line);
  if (!m) return null;
  const inputTokens = Number(m[1]);
  const outputTokens = Number(m[2]);
  return Number.isSafeInteger(inputTokens) && Number.isSafeInteger(outputTokens) ? { inputTokens, outputTokens } : null;
}

export function costOfLine(line: string): number | null {
  if (!METADATA_START.test(line)) return null;
  const m = COST_PATTERN.exec(line);
  const cost = m ? Number(m[1]) : NaN;
  return Number.isFinite(cost) && cost >= 0 ? cost : null;
}

/** Hermes' own progress and bookkeeping lines, which are not part of the reply. */
export function isNoiseLine(line: string): boolean {
  const t = line.trim();
  return /^\[(?:tool|hermes|paperclip|switchboard)\]/.test(t) || /^\[done\]\s*┊/.test(t) || (/^┊/.test(t) && !/^┊\s*💬/.test(t));
}

/** A line that is metadata or noise rather than the agent's reply. */
export function isMetadataLine(line: string): boolean {
  return sessionIdOfLine(line) !== null || tokensOfLine(line) !== null || costOfLine(line) !== null || isNoiseLine(line);
}

/** Reply text on a `┊ 💬 …` line (non-quiet mode), without the marker. */
export function replyOfLine(line: string): string {
  return line.replace(/^\s*┊\s*💬\s*/, "");
}
