/**
 * Switchboard's optional result protocol for `process` agents: the process may write JSON to
 * `$SWITCHBOARD_RESULT_FILE` to report a session to resume next time, token usage and cost —
 * what CLI adapters parse from their runtime's output. The file is agent output, so untrusted:
 * size-capped, parsed defensively, every field type-checked.
 */
import fs from "node:fs";
import type { AdapterExecutionResult } from "../../types.js";

export const MAX_RESULT_FILE_BYTES = 64 * 1024;

type Reported = Pick<
  AdapterExecutionResult,
  "sessionId" | "sessionParams" | "sessionDisplayId" | "clearSession" | "usage" | "costUsd" | "provider" | "biller" | "model" | "billingType" | "summary"
>;

const nonNegative = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined);
const shortString = (v: unknown, max = 500): string | undefined => (typeof v === "string" && v.length > 0 && v.length <= max ? v : undefined);

export function readResultFile(file: string): { reported: Reported; problem?: string } {
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (stat.size > MAX_RESULT_FILE_BYTES) return { reported: {}, problem: `result file larger than ${MAX_RESULT_FILE_BYTES} bytes ignored` };
    text = fs.readFileSync(file, "utf8");
  } catch {
    return { reported: {} }; // the process did not write one: nothing to report
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { reported: {}, problem: "result file is not valid JSON; ignored" };
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return { reported: {}, problem: "result file must hold a JSON object; ignored" };
  const r = raw as Record<string, unknown>;
  const out: Reported = {};
  const sessionId = shortString(r.sessionId);
  if (sessionId) out.sessionId = sessionId;
  if (r.sessionParams && typeof r.sessionParams === "object" && !Array.isArray(r.sessionParams)) out.sessionParams = r.sessionParams as Record<string, unknown>;
  if (r.clearSession === true) out.clearSession = true;
  const usage = r.usage && typeof r.usage === "object" ? (r.usage as Record<string, unknown>) : undefined;
  if (usage) {
    out.usage = {
      inputTokens: nonNegative(usage.inputTokens) ?? 0,
      outputTokens: nonNegative(usage.outputTokens) ?? 0,
      cachedInputTokens: nonNegative(usage.cachedInputTokens) ?? 0,
    };
  }
  const costUsd = nonNegative(r.costUsd);
  if (costUsd !== undefined) out.costUsd = costUsd;
  for (const key of ["provider", "biller", "model", "billingType"] as const) {
    const v = shortString(r[key], 100);
    if (v) out[key] = v;
  }
  const summary = shortString(r.summary, 4000);
  if (summary) out.summary = summary;
  return { reported: out };
}
