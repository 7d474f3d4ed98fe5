/**
 * What a failed run's text says about the model provider, shared by every CLI adapter: a missing or
 * rejected credential (`auth_required`: a person must log in or set a key), an exhausted quota or
 * rate limit (`provider_quota`: retrying before the window reopens is pointless), and when the
 * window reopens (`retryNotBefore`). The phrases here are the ones providers and their SDKs print;
 * what only one CLI says (Claude's "limit reached|<epoch>", Gemini's exit code 41, "codex login")
 * stays in that adapter and is passed in as extra patterns.
 */

export type ProviderFailureKind = "auth_required" | "provider_quota";

/** A missing, rejected or expired credential, as providers, SDKs and CLIs word it. */
export const AUTH_FAILURE_PATTERN =
  /no api key (?:found|provided|configured|set)|api key (?:is )?(?:missing|invalid|not (?:found|set|configured))|missing api key|(?:invalid|incorrect) (?:x-)?api[ -]?key|authentication[_ ](?:error|failed|required)|\b401\b|unauthori[sz]ed|not (?:logged|signed) in|please (?:log|sign) ?in|run \/login|\blogin required\b|no auth(?:entication)? credentials|credentials? (?:not found|missing|expired)/i;

/** An exhausted quota, a rate limit or credits run out. */
export const QUOTA_FAILURE_PATTERN =
  /rate[ _-]?limit|usage limit|quota|too many requests|\b429\b|insufficient[ _](?:credits?|balance|funds|quota)|credit balance|out of credits|resource[ _]exhausted/i;

export interface ProviderFailurePatterns {
  /** Adapter-specific auth phrases, checked besides the common ones. */
  auth?: RegExp;
  /** Adapter-specific quota phrases, checked besides the common ones. */
  quota?: RegExp;
  /**
   * Quota before auth, for CLIs whose quota messages carry auth advice ("… or set the API key").
   * Default: auth first, since a bad key must be fixed before a quota matters.
   */
  quotaFirst?: boolean;
}

const matches = (text: string, common: RegExp, extra: RegExp | undefined) => common.test(text) || (extra?.test(text) ?? false);

/** The provider-side cause a failure's text names, or null when it names none. */
export function classifyProviderFailure(text: string, patterns: ProviderFailurePatterns = {}): ProviderFailureKind | null {
  const auth = matches(text, AUTH_FAILURE_PATTERN, patterns.auth);
  const quota = matches(text, QUOTA_FAILURE_PATTERN, patterns.quota);
  if (patterns.quotaFirst) return quota ? "provider_quota" : auth ? "auth_required" : null;
  return auth ? "auth_required" : quota ? "provider_quota" : null;
}

/** The line that names the cause, so the run's error quotes it rather than a trailing hint. */
export function providerFailureLine(text: string, kind: ProviderFailureKind): string | null {
  const pattern = kind === "auth_required" ? AUTH_FAILURE_PATTERN : QUOTA_FAILURE_PATTERN;
  return text.split("\n").map((l) => l.trim()).find((l) => pattern.test(l)) ?? null;
}

// ---- when to retry ----

const ISO_TIME = String.raw`(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))`;
/** An ISO time right after words that say it is the reset time ("resets at", "retry after", "quotaResetTimeStamp": …). */
const ANCHORED_TIME = new RegExp(
  String.raw`(?:quotaResetTimeStamp|resets?|retry|try again|available(?:\s+again)?|regain access|until)(?:\s+(?:at|after|on))?["'\s:=]*` + ISO_TIME,
  "i",
);
const BARE_TIME = new RegExp(String.raw`\b` + ISO_TIME);
/** `X-RateLimit-Reset: <epoch seconds or ms>` as OpenRouter and others echo it. */
const RESET_EPOCH_HEADER = /x-ratelimit-reset["':\s]+(\d{10}|\d{13})\b/i;
/** `retry-after: <seconds>` header echo. */
const RETRY_AFTER_HEADER = /retry-after["':\s]+(\d+)\b/i;
/** Words after which a delay follows: "try again in", "resets after", `"retryDelay": "34s"`. */
const DELAY_ANCHORS =
  /(?:resets?\s+(?:after|in)|retry\s+(?:in|after)|try\s+again\s+(?:in|after)|available\s+again\s+(?:in|after)|retryDelay["'\s]*[:=]\s*["']?|quotaResetDelay["'\s]*[:=]\s*["']?)\s*/gi;

const UNIT_SECONDS: Array<[RegExp, number]> = [
  [/^(?:ms|msecs?|milliseconds?)$/i, 0.001],
  [/^(?:s|secs?|seconds?)$/i, 1],
  [/^(?:m|mins?|minutes?)$/i, 60],
  [/^(?:h|hrs?|hours?)$/i, 3600],
  [/^(?:d|days?)$/i, 86400],
];
const DURATION_TOKEN = /(\d+(?:\.\d+)?)\s*(milliseconds?|msecs?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)(?![a-z])/iy;

/** "1h2m3s", "26.15s", "250ms", "2 hours, and 5 minutes" at the start of `text` → seconds (0 when none). */
function leadingDurationSeconds(text: string): number {
  let seconds = 0;
  let at = 0;
  for (;;) {
    while (at < text.length && /[\s,]/.test(text[at]!)) at++;
    if (text.startsWith("and ", at)) at += 4;
    DURATION_TOKEN.lastIndex = at;
    const m = DURATION_TOKEN.exec(text);
    if (!m) break;
    const unit = UNIT_SECONDS.find(([re]) => re.test(m[2]!));
    seconds += Number(m[1]) * (unit ? unit[1] : 0);
    at = DURATION_TOKEN.lastIndex;
  }
  return seconds;
}

const isoOf = (ms: number): string | null => (Number.isFinite(ms) ? new Date(ms).toISOString() : null);

export interface RetryTimeOptions {
  /**
   * Also take an ISO time that no reset wording precedes (default true). Off where the evidence
   * holds timestamped log lines, which would read as reset times.
   */
  bareTimestamps?: boolean;
}

/**
 * When a quota message says retrying makes sense again, as an ISO time; null when it names none.
 * In order: a reset time ("resets at 2026-03-22T15:00:00Z", `"quotaResetTimeStamp": …`), an
 * `X-RateLimit-Reset` epoch (seconds or ms), a `retry-after: <seconds>` header, a delay ("try again
 * in 2 hours 5 minutes", "resets in 45m", "Please retry in 26.1s", "reset after 1h2m3s",
 * `"retryDelay": "34s"`; rounded up to whole seconds), then any ISO time in the text.
 */
export function retryNotBeforeFrom(text: string, now: Date = new Date(), options: RetryTimeOptions = {}): string | null {
  const anchored = ANCHORED_TIME.exec(text);
  if (anchored) {
    const at = isoOf(Date.parse(anchored[1]!));
    if (at) return at;
  }
  const epoch = RESET_EPOCH_HEADER.exec(text);
  if (epoch) return isoOf(epoch[1]!.length === 13 ? Number(epoch[1]) : Number(epoch[1]) * 1000);
  const header = RETRY_AFTER_HEADER.exec(text);
  if (header) return isoOf(now.getTime() + Number(header[1]) * 1000);
  for (const m of text.matchAll(DELAY_ANCHORS)) {
    const start = m.index + m[0].length;
    const seconds = leadingDurationSeconds(text.slice(start, start + 80));
    if (seconds > 0) return isoOf(now.getTime() + Math.ceil(seconds) * 1000);
  }
  if (options.bareTimestamps === false) return null;
  const bare = BARE_TIME.exec(text);
  return bare ? isoOf(Date.parse(bare[1]!)) : null;
}

/** The result fields of a quota failure: the error code and family, and when to retry when the text says. */
export function providerQuotaFields(evidence: string, options?: RetryTimeOptions): { errorCode: "provider_quota"; errorFamily: "provider_quota"; retryNotBefore: string | null } {
  return { errorCode: "provider_quota", errorFamily: "provider_quota", retryNotBefore: retryNotBeforeFrom(evidence, new Date(), options) };
}
