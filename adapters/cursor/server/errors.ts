/**
 * What a Cursor Agent failure means, so the run gets an error code a person can act on: log in
 * (`auth_required`), wait for the usage window (`provider_quota` + when to retry), or start a fresh
 * chat (a stored session Cursor no longer has). The CLI reports failures as a line on stderr and a
 * non-zero exit, sometimes as an `error` event or an errored `result`; all of them are read here.
 */

export type CursorFailureKind = "auth_required" | "provider_quota" | "unknown_session" | null;

const QUOTA = /usage limit|rate[ -]?limit|quota|too many requests|out of (fast )?requests|spend(ing)? limit|\b429\b/i;
const AUTH = /authentication required|please run '?(cursor-)?agent login|api key is invalid|invalid api key|not (logged|signed) in|unauthori[sz]ed|\b401\b/i;
const UNKNOWN_SESSION =
  /(session|chat|conversation)[^\n]{0,80}(not found|does not exist|no longer exists)|no (session|chat|conversation) (found|with)|unknown (session|chat)|could not find (session|chat|conversation)/i;

/** The most actionable reading: quota before auth (a usage-limit message may mention the API key). */
export function classifyCursorFailure(evidence: string): CursorFailureKind {
  if (QUOTA.test(evidence)) return "provider_quota";
  if (AUTH.test(evidence)) return "auth_required";
  if (UNKNOWN_SESSION.test(evidence)) return "unknown_session";
  return null;
}

export function isUnknownCursorSession(evidence: string): boolean {
  return UNKNOWN_SESSION.test(evidence);
}

function unitSeconds(unit: string): number {
  const u = unit.toLowerCase();
  if (u.startsWith("s")) return 1;
  if (u.startsWith("m")) return 60;
  if (u.startsWith("h")) return 3600;
  if (u.startsWith("d")) return 86400;
  return 0;
}

/**
 * When a usage-limit message says to retry: an ISO time ("resets at 2026-05-01T10:00:00Z") or a delay
 * ("try again in 45 minutes", "retry after 2h", "resets in 30 seconds"). Null when it names neither.
 */
export function retryNotBeforeFrom(message: string, now: Date = new Date()): string | null {
  const iso = /\b(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))/.exec(message);
  if (iso) {
    const at = Date.parse(iso[1]!);
    if (Number.isFinite(at)) return new Date(at).toISOString();
  }
  const delay = /(?:try again|retry|resets?)\s+(?:in|after)\s+((?:\d+(?:\.\d+)?\s*(?:seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)\b[\s,]*(?:and\s+)?)+)/i.exec(message);
  if (!delay) return null;
  let seconds = 0;
  for (const m of delay[1]!.matchAll(/(\d+(?:\.\d+)?)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)\b/gi)) {
    seconds += Number(m[1]) * unitSeconds(m[2]!);
  }
  return seconds > 0 ? new Date(now.getTime() + seconds * 1000).toISOString() : null;
}
