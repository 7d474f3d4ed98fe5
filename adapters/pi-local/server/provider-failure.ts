/**
 * What a failed run's text says about its cause, for CLIs that relay provider errors as text (Pi,
 * Hermes): a missing or rejected API key (`auth_required`: a person must log in or set a key), an
 * exhausted quota or rate limit (`provider_quota`: retrying before the reset is pointless), or
 * neither. Also reads the reset time a quota message names, so the run can say when to retry.
 * Kept free of adapter specifics so hermes_local uses it too.
 */

export type ProviderFailureKind = "auth_required" | "provider_quota" | null;

const AUTH_PATTERN =
  /no api key (?:found|provided|configured|set)|api key (?:is )?(?:missing|not (?:found|set|configured))|missing api key|(?:invalid|incorrect) (?:x-)?api[ -]key|authentication[_ ]error|\b401\b|unauthori[sz]ed|not logged in|please (?:log|sign) ?in|run \/login|\blogin required\b|no auth(?:entication)? credentials|credentials? (?:not found|missing|expired)/i;

const QUOTA_PATTERN =
  /rate[ _-]?limit|usage limit|quota|too many requests|\b429\b|insufficient[ _](?:credits?|balance|funds|quota)|credit balance is too low|out of credits|resource[ _]exhausted/i;

/** The most actionable kind wins: a bad key must be fixed before a quota matters. */
export function classifyProviderFailure(text: string): ProviderFailureKind {
  if (AUTH_PATTERN.test(text)) return "auth_required";
  if (QUOTA_PATTERN.test(text)) return "provider_quota";
  return null;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const DURATION = /(\d+(?:\.\d+)?)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)\b/gi;

/**
 * When a quota message says retrying makes sense again: an ISO timestamp ("resets at
 * 2026-03-22T15:00:00Z"), a relative time ("try again in 2 hours 5 minutes", "resets in 45m",
 * "retry after 30 seconds"), a `retry-after: <seconds>` header echo or an `X-RateLimit-Reset` epoch
 * (seconds or milliseconds, as OpenRouter sends). Null when it names none.
 */
export function retryNotBeforeFrom(text: string, now: Date = new Date()): string | null {
  const iso = /\b(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))/.exec(text);
  if (iso) {
    const at = Date.parse(iso[1]!);
    if (Number.isFinite(at)) return new Date(at).toISOString();
  }
  const epoch = /x-ratelimit-reset["':\s]+(\d{10}|\d{13})\b/i.exec(text);
  if (epoch) {
    const value = Number(epoch[1]);
    return new Date(epoch[1]!.length === 13 ? value : value * 1000).toISOString();
  }
  const header = /retry-after["':\s]+(\d+)\b/i.exec(text);
  if (header) return new Date(now.getTime() + Number(header[1]) * 1000).toISOString();
  const rel = /(?:try again|retry|resets?|available again)\s+(?:in|after)\s+((?:\d+(?:\.\d+)?\s*[a-z]+[\s,]*(?:and\s+)?)+)/i.exec(text);
  if (!rel) return null;
  let seconds = 0;
  for (const m of rel[1]!.matchAll(DURATION)) {
    seconds += Number(m[1]) * (UNIT_SECONDS[m[2]!.charAt(0).toLowerCase()] ?? 0);
  }
  return seconds > 0 ? new Date(now.getTime() + seconds * 1000).toISOString() : null;
}

/** The line that names the cause, so the run's error quotes it rather than a trailing hint. */
export function providerFailureLine(text: string, kind: Exclude<ProviderFailureKind, null>): string | null {
  const pattern = kind === "auth_required" ? AUTH_PATTERN : QUOTA_PATTERN;
  return text.split("\n").map((l) => l.trim()).find((l) => pattern.test(l)) ?? null;
}
