/**
 * What an OpenCode failure means, so the run gets an error code a person can act on: log in
 * (`auth_required`), wait for the quota window (`provider_quota` + when to retry), or start a fresh
 * session (a stored session OpenCode no longer has). Classified from the structured `error` events
 * first (error class, HTTP status) and the text of the output second; the common provider phrases
 * are in utils/provider-failure.ts, OpenCode's own are below.
 */
import { classifyProviderFailure } from "../../utils/provider-failure.js";
import type { OpencodeError } from "./parse.js";

export type OpencodeFailureKind = "auth_required" | "provider_quota" | "unknown_session" | null;

const OPENCODE_AUTH = /ProviderAuthError|opencode auth login/i;
const UNKNOWN_SESSION_TEXT = /session not found|session[^\n]{0,80}(does not exist|not found)|NotFoundError[^\n]{0,200}session|no session with id/i;

/** The most actionable reading of a failure: quota before auth (a quota message may mention the key). */
export function classifyOpencodeFailure(errors: OpencodeError[], outputText: string): OpencodeFailureKind {
  if (errors.some((e) => e.statusCode === 429)) return "provider_quota";
  const evidence = [...errors.map((e) => `${e.name ?? ""} ${e.message}`), outputText].join("\n");
  const fromText = classifyProviderFailure(evidence, { auth: OPENCODE_AUTH, quotaFirst: true });
  if (fromText === "provider_quota") return fromText;
  if (errors.some((e) => e.name === "ProviderAuthError" || e.statusCode === 401 || e.statusCode === 403)) return "auth_required";
  return fromText ?? (UNKNOWN_SESSION_TEXT.test(evidence) ? "unknown_session" : null);
}

export function isUnknownOpencodeSession(outputText: string): boolean {
  return UNKNOWN_SESSION_TEXT.test(outputText);
}
