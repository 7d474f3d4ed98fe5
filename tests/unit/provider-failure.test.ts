/**
 * The provider-failure reading every CLI adapter shares (adapters/utils/provider-failure.ts): auth vs
 * quota, the line that names the cause, and when a quota window reopens, in the shapes Codex, Cursor,
 * OpenCode, Gemini, Pi and Hermes print.
 */
import { describe, expect, it } from "vitest";
import { classifyProviderFailure, providerFailureLine, providerQuotaFields, retryNotBeforeFrom } from "../../adapters/utils/provider-failure.js";

describe("classifyProviderFailure", () => {
  it("classifies missing keys as auth_required and limits as provider_quota, auth first by default", () => {
    expect(classifyProviderFailure("No API key found for anthropic.")).toBe("auth_required");
    expect(classifyProviderFailure("Error code: 401 - {'error': {'message': 'No auth credentials found'}}")).toBe("auth_required");
    expect(classifyProviderFailure("⚠ Warning: The provided API key is invalid.")).toBe("auth_required");
    expect(classifyProviderFailure("Error: Authentication required.")).toBe("auth_required");
    expect(classifyProviderFailure('429 {"type":"rate_limit_error"}')).toBe("provider_quota");
    expect(classifyProviderFailure("insufficient_quota: You exceeded your current quota")).toBe("provider_quota");
    expect(classifyProviderFailure("Your credit balance is too low")).toBe("provider_quota");
    expect(classifyProviderFailure("401 invalid api key; also rate limited")).toBe("auth_required");
    expect(classifyProviderFailure("socket hang up")).toBeNull();
  });

  it("puts quota first when asked, and takes an adapter's own phrases", () => {
    expect(classifyProviderFailure("usage limit reached; or set your API key: unauthorized", { quotaFirst: true })).toBe("provider_quota");
    expect(classifyProviderFailure("Run `codex login` first")).toBeNull();
    expect(classifyProviderFailure("Run `codex login` first", { auth: /codex login/i })).toBe("auth_required");
    expect(classifyProviderFailure("You are out of fast requests", { quota: /out of (fast )?requests/i })).toBe("provider_quota");
  });

  it("quotes the line that names the cause", () => {
    const text = "No API key found for anthropic.\n\nUse /start to begin.\n";
    expect(providerFailureLine(text, "auth_required")).toBe("No API key found for anthropic.");
    expect(providerFailureLine("ok\n429 Too Many Requests\n", "provider_quota")).toBe("429 Too Many Requests");
    expect(providerFailureLine("nothing here", "provider_quota")).toBeNull();
  });
});

describe("retryNotBeforeFrom", () => {
  const now = new Date("2026-01-01T00:00:00.000Z");
  const at = (text: string) => retryNotBeforeFrom(text, now);

  it("reads a reset time named as such", () => {
    expect(at("resets at 2026-03-22T15:30:00Z")).toBe("2026-03-22T15:30:00.000Z");
    expect(at("Your usage resets at 2026-01-05T00:00:00.000Z.")).toBe("2026-01-05T00:00:00.000Z");
    expect(at("try again at 2026-01-02T03:04:05Z")).toBe("2026-01-02T03:04:05.000Z");
    expect(at('"quotaResetTimeStamp": "2026-01-02T03:04:05Z"')).toBe("2026-01-02T03:04:05.000Z");
    expect(at("limit reached. You will regain access at 2026-04-01T00:00:00+02:00")).toBe("2026-03-31T22:00:00.000Z");
  });

  it("reads epochs and retry-after headers", () => {
    expect(at("'X-RateLimit-Reset': '1774188000000'")).toBe("2026-03-22T14:00:00.000Z");
    expect(at("x-ratelimit-reset: 1774188000")).toBe("2026-03-22T14:00:00.000Z");
    expect(at("retry-after: 120")).toBe("2026-01-01T00:02:00.000Z");
  });

  it("reads delays after try again / retry / resets, in words or compact units, rounded up to seconds", () => {
    expect(at("try again in 2 hours")).toBe("2026-01-01T02:00:00.000Z");
    expect(at("Try again in 2 hours 5 minutes.")).toBe("2026-01-01T02:05:00.000Z");
    expect(at("try again in 2 hours, and 5 minutes")).toBe("2026-01-01T02:05:00.000Z");
    expect(at("Please retry after 30 seconds.")).toBe("2026-01-01T00:00:30.000Z");
    expect(at("retry after 30s")).toBe("2026-01-01T00:00:30.000Z");
    expect(at("limit resets in 1h 30m")).toBe("2026-01-01T01:30:00.000Z");
    expect(at("limit reached, try again in 90 minutes")).toBe("2026-01-01T01:30:00.000Z");
    expect(at("available again in 1 day")).toBe("2026-01-02T00:00:00.000Z");
    expect(at("Your quota will reset after 1h2m3s.")).toBe("2026-01-01T01:02:03.000Z");
    expect(at("You exceeded your current quota. Please retry in 26.15s.")).toBe("2026-01-01T00:00:27.000Z");
    expect(at("Please retry in 250ms")).toBe("2026-01-01T00:00:01.000Z");
    expect(at('{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"34.07s"}')).toBe("2026-01-01T00:00:35.000Z");
  });

  it("takes a bare ISO time only when allowed, and returns null when the text names no time", () => {
    expect(at("limit hit; window ends 2026-01-01T10:00:00Z")).toBe("2026-01-01T10:00:00.000Z");
    expect(retryNotBeforeFrom("2026-01-01T10:00:00Z quota exceeded", now, { bareTimestamps: false })).toBeNull();
    expect(retryNotBeforeFrom("2026-01-01T10:00:00Z quota exceeded; retry in 5s", now, { bareTimestamps: false })).toBe("2026-01-01T00:00:05.000Z");
    expect(at("usage limit reached")).toBeNull();
    expect(at("rate limited, sorry")).toBeNull();
    expect(at("retry in a moment")).toBeNull();
    expect(at("RESOURCE_EXHAUSTED")).toBeNull();
  });

  it("gives the result fields of a quota failure", () => {
    expect(providerQuotaFields("usage limit reached")).toEqual({ errorCode: "provider_quota", errorFamily: "provider_quota", retryNotBefore: null });
    expect(providerQuotaFields("resets at 2026-03-22T15:30:00Z").retryNotBefore).toBe("2026-03-22T15:30:00.000Z");
  });
});
