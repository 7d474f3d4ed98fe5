/**
 * Claude's usage-limit messages, so a run that hit a subscription window fails as `provider_quota`
 * with the time the window resets (`retryNotBefore`) instead of a generic failure that is retried at
 * once. Claude Code has printed them in several shapes over time:
 *   "Claude AI usage limit reached|1760000400"                     (epoch seconds after a bar)
 *   "Claude usage limit reached. Your limit will reset at 5pm (Europe/Warsaw)."
 *   "5-hour limit reached ∙ resets 3pm", "Session limit reached ∙ resets 10am"
 *   "Weekly limit reached ∙ resets Oct 6, 1pm (America/New_York)"
 * A clock time without a zone is the server's local time (Claude Code runs on this machine).
 */
import { retryNotBeforeFrom } from "../../utils/provider-failure.js";

const USAGE_LIMIT = /usage limit reached|(?:session|weekly|5-hour|daily|opus|sonnet)(?: usage)? limit reached|you've hit your (?:usage )?limit|limit will reset/i;

export function isUsageLimit(text: string): boolean {
  return USAGE_LIMIT.test(text);
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** Epoch milliseconds of a wall-clock time in `timeZone` (undefined = local), DST-correct. */
function zonedTime(y: number, month: number, d: number, h: number, mi: number, timeZone: string | undefined): number {
  const guess = Date.UTC(y, month, d, h, mi);
  const offsetAt = (instant: number) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric" })
        .formatToParts(instant)
        .map((p) => [p.type, Number(p.value)]),
    ) as Record<string, number>;
    return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour! % 24, parts.minute!) - Math.floor(instant / 60_000) * 60_000;
  };
  const first = guess - offsetAt(guess);
  return guess - offsetAt(first);
}

function validTimeZone(name: string | undefined): string | undefined {
  if (!name) return undefined;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return name;
  } catch {
    return undefined;
  }
}

/** Today's date in `timeZone` (undefined = local). */
function todayIn(now: Date, timeZone: string | undefined): { y: number; m: number; d: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "numeric", day: "numeric" }).formatToParts(now).map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  return { y: parts.year!, m: parts.month! - 1, d: parts.day! };
}

const CLOCK_RESET =
  /resets?\s+(?:at\s+|on\s+)?(?:([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(?:at\s+)?)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\s*(?:\(([A-Za-z_]+(?:\/[A-Za-z_+-]+)*)\))?/i;

function clockResetTime(text: string, now: Date): number | null {
  const m = CLOCK_RESET.exec(text);
  if (!m) return null;
  const [, monthName, dayText, hourText, minuteText, meridiem, zoneName] = m;
  if (!meridiem && minuteText === undefined) return null; // "resets 3" is not a time
  let hour = Number(hourText);
  const minute = minuteText ? Number(minuteText) : 0;
  if (meridiem) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (meridiem.toLowerCase() === "pm" ? 12 : 0);
  }
  if (hour > 23 || minute > 59) return null;
  const zone = validTimeZone(zoneName);
  const today = todayIn(now, zone);
  if (monthName && dayText) {
    const month = MONTHS.indexOf(monthName.toLowerCase());
    if (month < 0) return null;
    const at = zonedTime(today.y, month, Number(dayText), hour, minute, zone);
    return at > now.getTime() ? at : zonedTime(today.y + 1, month, Number(dayText), hour, minute, zone);
  }
  const at = zonedTime(today.y, today.m, today.d, hour, minute, zone);
  return at > now.getTime() ? at : zonedTime(today.y, today.m, today.d + 1, hour, minute, zone);
}

/**
 * When the limit named in `text` resets, as an ISO string; null when the message names no time.
 * Claude's own shapes (the epoch after a bar, a clock time) are read here; ISO times and delays
 * ("resets in 3 hours") by the shared reader.
 */
export function usageLimitResetAt(text: string, now: Date = new Date()): string | null {
  const epoch = /limit reached\s*\|\s*(\d{10,13})\b/i.exec(text);
  if (epoch) {
    const n = Number(epoch[1]);
    return new Date(epoch[1]!.length === 13 ? n : n * 1000).toISOString();
  }
  const shared = retryNotBeforeFrom(text, now);
  if (shared) return shared;
  const clock = clockResetTime(text, now);
  return clock !== null && Number.isFinite(clock) ? new Date(clock).toISOString() : null;
}
