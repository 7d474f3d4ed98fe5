/**
 * What an endpoint's answer means. A 2xx body MAY report the run the way an adapter result does
 * (`{summary, usage:{inputTokens,outputTokens,cachedInputTokens}, costUsd, model, provider,
 * billingType, sessionParams}`); anything else in it is kept as data, never trusted as more.
 */
import type { AdapterExecutionResult, UsageSummary } from "../../types.js";

const SUMMARY_MAX = 4000;

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const count = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0);
const text = (v: unknown, max = 200) => (typeof v === "string" && v.trim() ? v.trim().slice(0, max) : null);

function usageFrom(v: unknown): UsageSummary | undefined {
  if (!v || typeof v !== "object") return undefined;
  const u = v as Record<string, unknown>;
  const usage = { inputTokens: count(u.inputTokens ?? u.input_tokens), outputTokens: count(u.outputTokens ?? u.output_tokens), cachedInputTokens: count(u.cachedInputTokens ?? u.cached_input_tokens) };
  return usage.inputTokens || usage.outputTokens || usage.cachedInputTokens ? usage : undefined;
}

/** The reported parts of a result, from a JSON object a remote agent sent (a 2xx body or a callback). */
export function reportedResult(body: Record<string, unknown>): Partial<AdapterExecutionResult> {
  const out: Partial<AdapterExecutionResult> = {};
  const summary = text(body.summary, SUMMARY_MAX);
  if (summary) out.summary = summary;
  const usage = usageFrom(body.usage);
  if (usage) out.usage = usage;
  if (typeof body.costUsd === "number" && Number.isFinite(body.costUsd) && body.costUsd >= 0) out.costUsd = body.costUsd;
  for (const key of ["model", "provider", "biller", "billingType"] as const) {
    const v = text(body[key]);
    if (v) out[key] = v;
  }
  if (body.sessionParams && typeof body.sessionParams === "object" && !Array.isArray(body.sessionParams)) {
    out.sessionParams = body.sessionParams as Record<string, unknown>;
  }
  return out;
}

export function bodyReport(body: string): Partial<AdapterExecutionResult> {
  const json = parseJson(body);
  return json ? reportedResult(json) : {};
}

/** Retry-After as seconds or an HTTP date → ISO time. */
export function retryAfterIso(header: string | string[] | undefined, now = Date.now()): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return new Date(now + seconds * 1000).toISOString();
  const date = Date.parse(value);
  return Number.isFinite(date) ? new Date(date).toISOString() : null;
}
