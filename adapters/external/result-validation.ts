/**
 * What comes back from an external package is untrusted: every field of a result, an environment
 * test or a describe answer is type-checked and capped here before Switchboard stores or shows it.
 * A field of the wrong type is dropped (and, for the fields a run cannot do without, reported).
 */
import type {
  AdapterEnvironmentCheck,
  AdapterEnvironmentTestResult,
  AdapterExecutionErrorFamily,
  AdapterExecutionResult,
  AdapterModel,
  UsageSummary,
} from "../types.js";

const SUMMARY_MAX = 4000;
const MESSAGE_MAX = 4000;
const SHORT_MAX = 500;
const JSON_FIELD_MAX = 64 * 1024;
const RESULT_JSON_MAX = 256 * 1024;
const EXCERPT_MAX = 32 * 1024;

const ERROR_FAMILIES: readonly AdapterExecutionErrorFamily[] = [
  "transient_upstream",
  "provider_quota",
  "model_refusal",
  "refresh_token_reused",
  "refresh_token_expired",
  "refresh_token_invalidated",
];

export const asObject = (v: unknown): Record<string, unknown> | null => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

const cappedString = (v: unknown, max: number): string | null => (typeof v === "string" ? v.slice(0, max) : null);
const finiteNumber = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const tokenCount = (v: unknown): number => {
  const n = finiteNumber(v);
  return n !== null && n >= 0 ? Math.floor(n) : 0;
};

function boundedJson(v: unknown, max: number): Record<string, unknown> | null {
  const obj = asObject(v);
  if (!obj) return null;
  try {
    return JSON.stringify(obj).length <= max ? obj : null;
  } catch {
    return null;
  }
}

/** resultJson: kept whole when small; otherwise only its stdout/stderr tails survive. */
function boundedResultJson(v: unknown): Record<string, unknown> | null {
  const obj = asObject(v);
  if (!obj) return null;
  if (boundedJson(obj, RESULT_JSON_MAX)) return obj;
  const tail = (k: string) => (typeof obj[k] === "string" ? (obj[k] as string).slice(-EXCERPT_MAX) : undefined);
  return { truncated: true, stdout: tail("stdout"), stderr: tail("stderr") };
}

function usageOf(v: unknown): UsageSummary | undefined {
  const u = asObject(v);
  if (!u) return undefined;
  return { inputTokens: tokenCount(u.inputTokens), outputTokens: tokenCount(u.outputTokens), cachedInputTokens: tokenCount(u.cachedInputTokens) };
}

export function adapterFailure(message: string, errorCode = "adapter_failed"): AdapterExecutionResult {
  return { exitCode: null, signal: null, timedOut: false, errorCode, errorMessage: message.slice(0, MESSAGE_MAX) };
}

/** A package's execute() answer → a result Switchboard can trust (or a clear adapter_failed). */
export function sanitizeExecutionResult(raw: unknown, adapterType: string): AdapterExecutionResult {
  const r = asObject(raw);
  if (!r) return adapterFailure(`Adapter "${adapterType}" returned no result object`);
  const exitCode = r.exitCode === null || r.exitCode === undefined ? null : finiteNumber(r.exitCode);
  if (exitCode === null && r.exitCode !== null && r.exitCode !== undefined) {
    return adapterFailure(`Adapter "${adapterType}" returned an invalid exitCode (${JSON.stringify(r.exitCode)?.slice(0, 50)}); expected a number or null`);
  }
  const out: AdapterExecutionResult = {
    exitCode,
    signal: cappedString(r.signal, 50),
    timedOut: r.timedOut === true,
  };
  const errorMessage = cappedString(r.errorMessage, MESSAGE_MAX);
  if (errorMessage) out.errorMessage = errorMessage;
  const errorCode = cappedString(r.errorCode, 100);
  if (errorCode) out.errorCode = errorCode;
  if (ERROR_FAMILIES.includes(r.errorFamily as AdapterExecutionErrorFamily)) out.errorFamily = r.errorFamily as AdapterExecutionErrorFamily;
  if (typeof r.retryNotBefore === "string" && !Number.isNaN(Date.parse(r.retryNotBefore))) out.retryNotBefore = r.retryNotBefore.slice(0, 64);
  const errorMeta = boundedJson(r.errorMeta, JSON_FIELD_MAX);
  if (errorMeta) out.errorMeta = errorMeta;
  const usage = usageOf(r.usage);
  if (usage) out.usage = usage;
  if (r.usageBasis === "per_run" || r.usageBasis === "session_cumulative") out.usageBasis = r.usageBasis;
  const sessionId = cappedString(r.sessionId, SHORT_MAX);
  if (sessionId) out.sessionId = sessionId;
  if (r.sessionParams === null) out.sessionParams = null;
  else {
    const params = boundedJson(r.sessionParams, JSON_FIELD_MAX);
    if (params) out.sessionParams = params;
  }
  const displayId = cappedString(r.sessionDisplayId, SHORT_MAX);
  if (displayId) out.sessionDisplayId = displayId;
  if (r.clearSession === true) out.clearSession = true;
  for (const key of ["provider", "biller", "model", "billingType"] as const) {
    const v = cappedString(r[key], 200);
    if (v) out[key] = v;
  }
  const cost = finiteNumber(r.costUsd);
  if (cost !== null && cost >= 0) out.costUsd = cost;
  const adjusted = finiteNumber(r.cacheAdjustedCostUsd);
  if (adjusted !== null && adjusted >= 0) out.cacheAdjustedCostUsd = adjusted;
  const resultJson = boundedResultJson(r.resultJson);
  if (resultJson) out.resultJson = resultJson;
  const summary = cappedString(r.summary, SUMMARY_MAX);
  if (summary) out.summary = summary;
  return out;
}

const LEVELS = new Set(["info", "warn", "error"]);

/** A package's testEnvironment() answer; the status is recomputed from the checks when it is not one of the three. */
export function sanitizeTestResult(raw: unknown, adapterType: string): AdapterEnvironmentTestResult {
  const r = asObject(raw);
  const checks: AdapterEnvironmentCheck[] = [];
  const list = Array.isArray(r?.checks) ? (r.checks as unknown[]).slice(0, 100) : [];
  for (const item of list) {
    const c = asObject(item);
    if (!c || typeof c.message !== "string") continue;
    const check: AdapterEnvironmentCheck = {
      code: cappedString(c.code, 100) ?? "check",
      level: LEVELS.has(c.level as string) ? (c.level as AdapterEnvironmentCheck["level"]) : "info",
      message: c.message.slice(0, MESSAGE_MAX),
    };
    const detail = cappedString(c.detail, MESSAGE_MAX);
    if (detail) check.detail = detail;
    const hint = cappedString(c.hint, MESSAGE_MAX);
    if (hint) check.hint = hint;
    checks.push(check);
  }
  if (!r) checks.push({ code: "adapter_test_invalid_result", level: "error", message: `testEnvironment() of adapter "${adapterType}" returned no result object` });
  const derived = checks.some((c) => c.level === "error") ? "fail" : checks.some((c) => c.level === "warn") ? "warn" : "pass";
  const status = r && (r.status === "pass" || r.status === "warn" || r.status === "fail") ? r.status : derived;
  return { adapterType, status, checks, testedAt: typeof r?.testedAt === "string" ? r.testedAt.slice(0, 64) : new Date().toISOString() };
}

/** What describe reports about a package (host.mjs `describe`). */
export interface ExternalAdapterMetadata {
  type: string;
  label: string;
  models: AdapterModel[];
  agentConfigurationDoc: string | null;
  supportsLocalAgentJwt: boolean;
  supportsInstructionsBundle: boolean;
  requiresMaterializedRuntimeSkills: boolean;
  sessionManagement: Record<string, unknown> | null;
  hasExecute: boolean;
  hasTestEnvironment: boolean;
  hasSessionCodec: boolean;
  hasListSkills: boolean;
  hasSyncSkills: boolean;
  hasDetectModel: boolean;
  hasGetConfigSchema: boolean;
}

export function sanitizeMetadata(raw: unknown): ExternalAdapterMetadata | null {
  const r = asObject(raw);
  if (!r || typeof r.type !== "string" || !r.type) return null;
  const flag = (k: string) => r[k] === true;
  const models = (Array.isArray(r.models) ? r.models : [])
    .map(asObject)
    .filter((m): m is Record<string, unknown> => Boolean(m && typeof m.id === "string"))
    .slice(0, 500)
    .map((m) => ({ id: String(m.id).slice(0, 200), label: (cappedString(m.label, 200) ?? String(m.id)).slice(0, 200) }));
  return {
    type: r.type,
    label: cappedString(r.label, 200) ?? r.type,
    models,
    agentConfigurationDoc: cappedString(r.agentConfigurationDoc, 100_000),
    supportsLocalAgentJwt: flag("supportsLocalAgentJwt"),
    supportsInstructionsBundle: flag("supportsInstructionsBundle"),
    requiresMaterializedRuntimeSkills: flag("requiresMaterializedRuntimeSkills"),
    sessionManagement: boundedJson(r.sessionManagement, JSON_FIELD_MAX),
    hasExecute: flag("hasExecute"),
    hasTestEnvironment: flag("hasTestEnvironment"),
    hasSessionCodec: flag("hasSessionCodec"),
    hasListSkills: flag("hasListSkills"),
    hasSyncSkills: flag("hasSyncSkills"),
    hasDetectModel: flag("hasDetectModel"),
    hasGetConfigSchema: flag("hasGetConfigSchema"),
  };
}
