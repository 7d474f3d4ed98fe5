/**
 * What an OpenCode failure means, so the run gets an error code a person can act on: log in
 * (`auth_required`), wait for the quota window (`provider_quota` + when to retry), or start a fresh
 * session (a stored session OpenCode no longer has). Classified from the structured `error` events
 * first (error class, HTTP status) and the text of the output second.
 */
import type { OpencodeError } from "./parse.js";

export type OpencodeFailureKind = "auth_required" | "provider_quota" | "unknown_session" | null;

const QUOTA_TEXT = /rate[ -]?limit|usage limit|quota|too many requests|insufficient[_ ]credits|credit balance|\b429\b/i;
const AUTH_TEXT =
  /ProviderAuthError|invalid (x-)?api[ -]?key|api key (is )?(missing|invalid|not (set|found))|no api key|missing api key|unauthori[sz]ed|\b401\b|not (logged|signed) in|authentication (failed|required|error)|opencode auth login/i;
const UNKNOWN_SESSION_TEXT = /session not found|session[^\n]{0,80}(does not exist|not found)|NotFoundError[^\n]{0,200}session|no session with id/i;

/** The most actionable reading of a failure: quota before auth (a quota message may mention the key). */
export function classifyOpencodeFailure(errors: OpencodeError[], outputText: string): OpencodeFailureKind {
  const evidence = [...errors.map((e) => `${e.name ?? ""} ${e.message}`), outputText].join("\n");
  if (errors.some((e) => e.statusCode === 429) || QUOTA_TEXT.test(evidence)) return "provider_quota";
  if (errors.some((e) => e.name === "ProviderAuthError" || e.statusCode === 401 || e.statusCode === 403) || AUTH_TEXT.test(evidence)) return "auth_required";
  if (UNKNOWN_SESSION_TEXT.test(evidence)) return "unknown_session";
  return null;
}

export function isUnknownOpencodeSession(outputText: string): boolean {
  return UNKNOWN_SESSION_TEXT.test(outputText);
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
 * When a quota message says to retry: an ISO time ("resets at 2026-05-01T10:00:00Z") or a delay
 * ("try again in 90 minutes", "retry after 1h 30m", "resets in 45 seconds"). Null when it names neither.
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
