/**
 * Reads a finished `hermes chat -q` run's plain-text output: the session id (quiet-mode
 * `session_id:` line, legacy `session saved:` line, from stdout or stderr), tokens and cost from
 * their metadata lines, the reply (stdout without metadata or progress lines) and the last error
 * line on stderr. Output is untrusted and already capped by the caller; nothing here throws.
 */
import type { UsageSummary } from "../../types.js";
import { truncateText } from "../../utils/text.js";
import { LEGACY_SESSION_LINE, SESSION_ID_LINE, costOfLine, isMetadataLine, replyOfLine, tokensOfLine } from "../output.js";

export interface HermesRunSummary {
  sessionId: string | null;
  /** Hermes prints input and output totals only, no cached part: all input counts as uncached. */
  usage: UsageSummary | null;
  costUsd: number | null;
  /** The reply without metadata lines, capped; null when Hermes printed none. */
  response: string | null;
  /** The last stderr line that reads like an error. */
  errorLine: string | null;
}

const linesOf = (text: string) => text.split(/\r?\n/);

function sessionIdOf(lines: string[]): string | null {
  let quiet: string | null = null;
  let legacy: string | null = null;
  for (const line of lines) {
    const q = SESSION_ID_LINE.exec(line.trim())?.[1];
    if (q && q.length <= 200) quiet = q;
    const l = LEGACY_SESSION_LINE.exec(line)?.[1];
    if (l && l.length <= 200) legacy = l;
  }
  return quiet ?? legacy;
}

const ERROR_LINE = /error|exception|traceback|failed|not found|denied|invalid/i;
const LOG_NOISE = /\b(?:INFO|DEBUG|WARN|WARNING)\b/;

export function parseHermesOutput(stdout: string, stderr: string): HermesRunSummary {
  const outLines = linesOf(stdout);
  const errLines = linesOf(stderr);
  const all = [...outLines, ...errLines];
  let usage: UsageSummary | null = null;
  let costUsd: number | null = null;
  for (const line of all) {
    usage = tokensOfLine(line) ?? usage;
    costUsd = costOfLine(line) ?? costUsd;
  }
  const reply = outLines
    .filter((line) => !isMetadataLine(line))
    .map(replyOfLine)
    .join("\n")
    .replace(/\n{3,}/g, "\n\n");
  const errorLine =
    errLines
      .map((l) => l.trim())
      .filter((l) => l && ERROR_LINE.test(l) && !LOG_NOISE.test(l))
      .at(-1) ?? null;
  return { sessionId: sessionIdOf(all), usage, costUsd, response: truncateText(reply), errorLine: errorLine ? errorLine.slice(0, 1000) : null };
}
