/**
 * Capping agent-controlled text before it is kept (run summaries, error details): one rule for every
 * adapter so summaries look the same whichever runtime wrote them. Pure, so ui parsers may use it.
 */

/** Summaries kept on a run are at most this long (the common brief's cap). */
export const SUMMARY_MAX_CHARS = 4000;

/** `text` trimmed and cut to `max` characters with a trailing "…"; null when nothing is left. */
export function truncateText(text: string | null | undefined, max = SUMMARY_MAX_CHARS): string | null {
  const trimmed = text?.trim();
  if (!trimmed) return null;
  return trimmed.length <= max ? trimmed : `${trimmed.slice(0, max - 1)}…`;
}
