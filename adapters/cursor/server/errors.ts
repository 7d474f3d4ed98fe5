/**
 * What a Cursor Agent failure means, so the run gets an error code a person can act on: log in
 * (`auth_required`), wait for the usage window (`provider_quota` + when to retry), or start a fresh
 * chat (a stored session Cursor no longer has). The CLI reports failures as a line on stderr and a
 * non-zero exit, sometimes as an `error` event or an errored `result`; all of them are read here.
 * The common provider phrases are in utils/provider-failure.ts; Cursor's own are below.
 */
import { classifyProviderFailure } from "../../utils/provider-failure.js";

export type CursorFailureKind = "auth_required" | "provider_quota" | "unknown_session" | null;

const CURSOR_QUOTA = /out of (fast )?requests|spend(ing)? limit/i;
const CURSOR_AUTH = /please run '?(cursor-)?agent login/i;
const UNKNOWN_SESSION =
  /(session|chat|conversation)[^\n]{0,80}(not found|does not exist|no longer exists)|no (session|chat|conversation) (found|with)|unknown (session|chat)|could not find (session|chat|conversation)/i;

/** The most actionable reading: quota before auth (a usage-limit message may mention the API key). */
export function classifyCursorFailure(evidence: string): CursorFailureKind {
  return classifyProviderFailure(evidence, { quota: CURSOR_QUOTA, auth: CURSOR_AUTH, quotaFirst: true }) ?? (UNKNOWN_SESSION.test(evidence) ? "unknown_session" : null);
}

export function isUnknownCursorSession(evidence: string): boolean {
  return UNKNOWN_SESSION.test(evidence);
}
