/**
 * What a run's gateway traffic means: the `agent` events streamed for it (assistant text, lifecycle
 * errors) and the final `agent` result, whose `result.meta.agentMeta` carries provider, model and
 * token usage. Everything here is untrusted: each field is type-checked, text is capped, numbers must
 * be finite and non-negative.
 */
import type { UsageSummary } from "../../types.js";
import { uncachedInputTokens } from "../../utils/usage.js";
import { asRecord, asText } from "./gateway-socket.js";

/** Enough assistant text for the summary's tail, without holding a runaway stream in memory. */
const ASSISTANT_KEEP_CHARS = 64_000;
const EVENT_DATA_MAX_CHARS = 8_000;
export const EVENT_LOG_PREFIX = "[openclaw-gateway:event]";
export const LIFECYCLE_LOG_PREFIX = "[openclaw-gateway]";

const count = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0);

/**
 * `{input, output, cacheRead}` (OpenClaw, whose `input` already excludes cache reads) or
 * `{inputTokens, outputTokens, cachedInputTokens}` (Switchboard's own meaning); OpenAI-style
 * `{input_tokens, cached_input_tokens}` counts the cached tokens inside the input, so they are taken
 * out of it. Null when all are zero.
 */
export function parseUsage(value: unknown): UsageSummary | null {
  const usage = asRecord(value);
  if (!usage) return null;
  const cachedInputTokens = count(usage.cacheRead ?? usage.cachedInputTokens ?? usage.cached_input_tokens ?? usage.cache_read);
  const uncachedInput = usage.input ?? usage.inputTokens;
  const inputTokens = uncachedInput !== undefined ? count(uncachedInput) : uncachedInputTokens(count(usage.input_tokens), count(usage.cached_input_tokens));
  const outputTokens = count(usage.output ?? usage.outputTokens ?? usage.output_tokens);
  if (!inputTokens && !outputTokens && !cachedInputTokens) return null;
  return { inputTokens, outputTokens, cachedInputTokens };
}

function costOf(...candidates: unknown[]): number | null {
  for (const candidate of candidates) {
    if (typeof candidate === "number" && Number.isFinite(candidate) && candidate >= 0) return candidate;
    const record = asRecord(candidate);
    if (record && typeof record.total === "number" && Number.isFinite(record.total) && record.total >= 0) return record.total;
  }
  return null;
}

export interface FinalRunReport {
  status: string | null;
  resultText: string | null;
  usage: UsageSummary | null;
  costUsd: number | null;
  provider: string | null;
  model: string | null;
  billingType: string | null;
  gatewaySessionId: string | null;
  durationMs: number | null;
  error: string | null;
}

/** The final `agent` response payload: `{runId, status, summary, result:{payloads:[{text}], meta:{agentMeta}}}`. */
export function parseFinalPayload(payload: unknown): FinalRunReport {
  const root = asRecord(payload) ?? {};
  const result = asRecord(root.result) ?? {};
  const meta = asRecord(result.meta) ?? asRecord(root.meta) ?? {};
  const agentMeta = asRecord(meta.agentMeta) ?? {};
  const payloads = Array.isArray(result.payloads) ? result.payloads : [];
  const texts = payloads.map((p) => asText(asRecord(p)?.text)).filter((t): t is string => t !== null);
  const usage = parseUsage(agentMeta.usage) ?? parseUsage(meta.usage);
  return {
    status: asText(root.status)?.toLowerCase() ?? null,
    resultText: texts.length ? texts.join("\n\n") : asText(result.text),
    usage,
    costUsd: costOf(agentMeta.costUsd, meta.costUsd, asRecord(agentMeta.usage)?.cost, asRecord(meta.usage)?.cost),
    provider: asText(agentMeta.provider)?.slice(0, 100) ?? asText(meta.provider)?.slice(0, 100) ?? null,
    model: asText(agentMeta.model)?.slice(0, 200) ?? asText(meta.model)?.slice(0, 200) ?? null,
    billingType: asText(agentMeta.billingType) ?? asText(meta.billingType),
    gatewaySessionId: asText(agentMeta.sessionId)?.slice(0, 200) ?? null,
    durationMs: typeof meta.durationMs === "number" && Number.isFinite(meta.durationMs) ? meta.durationMs : null,
    error: asText(root.error) ?? asText(asRecord(root.error)?.message) ?? (asText(root.status) === "error" ? asText(root.summary) : null),
  };
}

function stringifyCapped(value: unknown, max: number): string {
  let json: string;
  try {
    json = JSON.stringify(value) ?? "null";
  } catch {
    json = '"[unserializable]"';
  }
  return json.length > max ? `${json.slice(0, max)}…[truncated ${json.length - max} chars]` : json;
}

/**
 * The `agent` events of one run: turns each into its log line and keeps what the result needs.
 * Events of other runs on the same gateway are ignored (the gateway broadcasts to operators).
 */
export class RunEventTracker {
  private readonly runIds = new Set<string>();
  private assistantText = "";
  lifecycleError: string | null = null;
  eventCount = 0;

  constructor(runId: string) {
    this.runIds.add(runId);
  }

  track(runId: string): void {
    this.runIds.add(runId);
  }

  /** The log line for an `agent` event payload of a tracked run, or null to ignore it. */
  accept(payload: unknown): string | null {
    const event = asRecord(payload);
    const runId = asText(event?.runId);
    if (!event || !runId || !this.runIds.has(runId)) return null;
    this.eventCount += 1;
    const stream = asText(event.stream)?.replace(/\s+/g, "_").slice(0, 40) ?? "unknown";
    const data = asRecord(event.data) ?? {};
    if (stream === "assistant") {
      // OpenClaw sends the text so far (`text`) and the new part (`delta`); either is enough.
      const full = typeof data.text === "string" ? data.text : null;
      const delta = typeof data.delta === "string" ? data.delta : null;
      if (full !== null) this.assistantText = full;
      else if (delta !== null) this.assistantText += delta;
      if (this.assistantText.length > ASSISTANT_KEEP_CHARS) this.assistantText = this.assistantText.slice(-ASSISTANT_KEEP_CHARS);
    } else if (stream === "error" || (stream === "lifecycle" && /^(error|failed)$/i.test(asText(data.phase) ?? ""))) {
      this.lifecycleError = (asText(data.error) ?? asText(data.message) ?? this.lifecycleError)?.slice(0, 2000) ?? null;
    }
    return `${EVENT_LOG_PREFIX} run=${runId.slice(0, 200)} stream=${stream} data=${stringifyCapped(data, EVENT_DATA_MAX_CHARS)}\n`;
  }

  get lastAssistantText(): string | null {
    return this.assistantText.trim() ? this.assistantText : null;
  }
}
