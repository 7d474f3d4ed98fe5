/**
 * What an adapter's result means for the run record: the terminal status and error code, the cost
 * report, and the excerpts kept on the run. Shared by executeRun and by the callback route, where a
 * remote agent's posted result becomes an outcome the same way.
 */
import type { AdapterExecutionResult } from "../adapters/types.js";
import type { CostReport, RunOutcome } from "../workflows/definitions.js";

export function costFrom(result: AdapterExecutionResult): CostReport | null {
  const usage = result.usage;
  const tokens = (usage?.inputTokens ?? 0) + (usage?.outputTokens ?? 0) + (usage?.cachedInputTokens ?? 0);
  if (!tokens && !result.costUsd) return null;
  return {
    inputTokens: usage?.inputTokens ?? 0,
    outputTokens: usage?.outputTokens ?? 0,
    cachedInputTokens: usage?.cachedInputTokens ?? 0,
    costUsd: typeof result.costUsd === "number" && Number.isFinite(result.costUsd) ? result.costUsd : null,
    provider: result.provider ?? null,
    biller: result.biller ?? null,
    model: result.model ?? null,
    billingType: result.billingType ?? null,
  };
}

/**
 * The run's resultJson: the adapter's own, plus the fields a person needs to act on a failure
 * (`errorFamily`, `retryNotBefore`) and the summary, so they are visible on the run record.
 */
function resultJsonOf(result: AdapterExecutionResult): Record<string, unknown> | null {
  const extra: Record<string, unknown> = {};
  if (result.summary) extra.summary = result.summary;
  if (result.errorFamily) extra.errorFamily = result.errorFamily;
  if (result.retryNotBefore) extra.retryNotBefore = result.retryNotBefore;
  if (!result.resultJson && Object.keys(extra).length === 0) return null;
  return { ...(result.resultJson ?? {}), ...extra };
}

export function toOutcome(result: AdapterExecutionResult, cancelled: boolean, sessionIdAfter: string | null): RunOutcome {
  const resultJson = resultJsonOf(result);
  const excerpt = (key: "stdout" | "stderr") => (resultJson && typeof resultJson[key] === "string" ? (resultJson[key] as string) : null);
  const common = {
    exitCode: result.exitCode,
    signal: result.signal,
    usage: (result.usage as Record<string, unknown> | undefined) ?? null,
    resultJson,
    sessionIdAfter,
    stdoutExcerpt: excerpt("stdout"),
    stderrExcerpt: excerpt("stderr"),
  };
  if (cancelled) return { ...common, status: "cancelled", error: "Run cancelled", errorCode: "cancelled" };
  if (result.awaitCallback) return { ...common, status: "succeeded", error: null, errorCode: null, awaitCallback: result.awaitCallback };
  if (result.timedOut) return { ...common, status: "timed_out", error: result.errorMessage ?? "Timed out", errorCode: result.errorCode ?? "timeout" };
  if (result.exitCode === 0 && !result.errorMessage) return { ...common, status: "succeeded", error: null, errorCode: null };
  return { ...common, status: "failed", error: result.errorMessage ?? `Process exited with code ${result.exitCode}`, errorCode: result.errorCode ?? "adapter_failed" };
}
