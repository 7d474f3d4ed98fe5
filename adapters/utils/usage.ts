/**
 * Switchboard's token rule for adapters whose runtime counts cached input inside its input total
 * (OpenAI and Codex `input_tokens` include `cached_input_tokens`; Gemini's prompt count includes the
 * cached one): `usage.inputTokens` is the uncached part, `cachedInputTokens` the cached part, so the
 * two never count a token twice (see `UsageSummary` in adapters/types.ts).
 */

/** Input tokens not served from a cache: total − cached, never negative (a runtime may report them inconsistently). */
export function uncachedInputTokens(inputIncludingCached: number, cached: number): number {
  return Math.max(0, inputIncludingCached - cached);
}
