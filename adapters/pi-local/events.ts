/**
 * Reading one line of `pi --mode json` output, shared by the server parser, the board UI's
 * transcript and the CLI printer (so it imports nothing from Node). Pi writes one JSON object per
 * line: a `session` header, then `AgentSessionEvent`s (`agent_start`, `turn_start`, `message_start`,
 * `message_update`, `message_end`, `tool_execution_*`, `turn_end`, `agent_end`, `auto_retry_*`,
 * compaction events). The line is agent-controlled: every field is type-checked here.
 */

export type PiEvent = Record<string, unknown> & { type: string };

export interface PiAssistantUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /** `usage.cost.total` in USD, or null when the message carries no cost. */
  costUsd: number | null;
}

export interface PiToolCall {
  id: string;
  name: string;
  arguments: unknown;
}

/** The parts of an assistant message the adapter uses. */
export interface PiAssistantMessage {
  text: string;
  thinking: string;
  toolCalls: PiToolCall[];
  usage: PiAssistantUsage | null;
  provider: string | null;
  model: string | null;
  stopReason: string | null;
  errorMessage: string | null;
}

export const asRecord = (v: unknown): Record<string, unknown> | null => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
const count = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0);
const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);

/** One stdout line → a Pi event, or null when it is not a JSON object with a string `type`. */
export function readPiEvent(line: string): PiEvent | null {
  const text = line.trim();
  if (!text.startsWith("{")) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const event = asRecord(parsed);
  return event && typeof event.type === "string" ? (event as PiEvent) : null;
}

function blocksOf(content: unknown): Record<string, unknown>[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return Array.isArray(content) ? content.map(asRecord).filter((b): b is Record<string, unknown> => b !== null) : [];
}

/** Text of a content array (or plain string), text blocks joined by newlines. */
export function contentText(content: unknown): string {
  return blocksOf(content)
    .filter((b) => b.type === "text" && typeof b.text === "string")
    .map((b) => b.text as string)
    .join("\n");
}

function usageOf(raw: unknown): PiAssistantUsage | null {
  const u = asRecord(raw);
  if (!u) return null;
  const cost = asRecord(u.cost);
  const total = cost?.total;
  return {
    input: count(u.input),
    output: count(u.output),
    cacheRead: count(u.cacheRead),
    cacheWrite: count(u.cacheWrite),
    costUsd: typeof total === "number" && Number.isFinite(total) && total >= 0 ? total : null,
  };
}

/** The message's role (`user`, `assistant`, `toolResult`, …), or null. */
export function roleOf(message: unknown): string | null {
  return str(asRecord(message)?.role);
}

/** An assistant message's text, thinking, tool calls, usage and stop reason; null for other roles. */
export function readAssistantMessage(message: unknown): PiAssistantMessage | null {
  const m = asRecord(message);
  if (!m || m.role !== "assistant") return null;
  const blocks = blocksOf(m.content);
  const toolCalls: PiToolCall[] = blocks
    .filter((b) => b.type === "toolCall" && typeof b.name === "string")
    .map((b) => ({ id: str(b.id) ?? "", name: b.name as string, arguments: b.arguments ?? null }));
  return {
    text: contentText(m.content),
    thinking: blocks
      .filter((b) => b.type === "thinking" && typeof b.thinking === "string")
      .map((b) => b.thinking as string)
      .join("\n"),
    toolCalls,
    usage: usageOf(m.usage),
    provider: str(m.provider),
    model: str(m.model),
    stopReason: str(m.stopReason),
    errorMessage: str(m.errorMessage),
  };
}

/** Pi ends an assistant message with `stopReason` `error` (provider failure) or `aborted`. */
export function isFailedStop(stopReason: string | null): boolean {
  return stopReason === "error" || stopReason === "aborted";
}

/** Token and cost totals over assistant messages. */
export function sumUsage(messages: PiAssistantMessage[]): { input: number; output: number; cacheRead: number; cacheWrite: number; costUsd: number | null } {
  const total = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, costUsd: null as number | null };
  for (const m of messages) {
    if (!m.usage) continue;
    total.input += m.usage.input;
    total.output += m.usage.output;
    total.cacheRead += m.usage.cacheRead;
    total.cacheWrite += m.usage.cacheWrite;
    if (m.usage.costUsd !== null) total.costUsd = (total.costUsd ?? 0) + m.usage.costUsd;
  }
  return total;
}
