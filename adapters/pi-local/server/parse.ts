/**
 * Parser for `pi --mode json` stdout, fed chunk by chunk so a long run is never held in memory.
 * Gives the session header id, tokens and cost summed over assistant messages, the model, the last
 * assistant text (the run summary) and the error Pi reported (`stopReason: "error"` +
 * `errorMessage`, or a failed auto-retry).
 *
 * One assistant message shows up several times (`message_end`, then inside `turn_end` and
 * `agent_end`), so usage is counted from `message_end` only; older builds that lack it fall back to
 * `turn_end`, then `agent_end` (print mode may end without `agent_end`).
 */
import type { UsageSummary } from "../../types.js";
import { LineSplitter } from "../../utils/jsonl.js";
import { truncateText } from "../../utils/text.js";
import { isFailedStop, readAssistantMessage, readPiEvent, roleOf, sumUsage, type PiAssistantMessage, type PiEvent } from "../events.js";

const KEPT_NON_JSON_LINES = 20;

export interface PiRunSummary {
  /** `id` of the `session` header line. */
  sessionId: string | null;
  assistantMessages: number;
  /** input = uncached input + cache writes (both billed as input); cached = cache reads. */
  usage: UsageSummary | null;
  costUsd: number | null;
  provider: string | null;
  model: string | null;
  /** Last non-empty assistant text, capped. */
  summary: string | null;
  stopReason: string | null;
  /** What Pi said went wrong, when the last assistant message failed or retries gave up. */
  errorMessage: string | null;
  /** Lines that were not JSON events (warnings, a crash trace), last few only: evidence for errors. */
  nonJsonTail: string[];
  events: number;
}

export class PiJsonlParser {
  private readonly lines = new LineSplitter((line) => this.line(line));
  private sessionId: string | null = null;
  private readonly fromMessageEnd: PiAssistantMessage[] = [];
  private readonly fromTurnEnd: PiAssistantMessage[] = [];
  private fromAgentEnd: PiAssistantMessage[] = [];
  private retryFailure: string | null = null;
  private readonly nonJson: string[] = [];
  private events = 0;

  push(chunk: string): void {
    this.lines.push(chunk);
  }

  end(): PiRunSummary {
    this.lines.end();
    const messages = this.fromMessageEnd.length > 0 ? this.fromMessageEnd : this.fromTurnEnd.length > 0 ? this.fromTurnEnd : this.fromAgentEnd;
    const totals = sumUsage(messages);
    const last = messages.at(-1) ?? null;
    const lastText = [...messages].reverse().find((m) => m.text.trim().length > 0)?.text ?? null;
    const failedStop = last !== null && isFailedStop(last.stopReason);
    const withModel = [...messages].reverse().find((m) => m.model !== null) ?? null;
    return {
      sessionId: this.sessionId,
      assistantMessages: messages.length,
      usage: messages.some((m) => m.usage)
        ? { inputTokens: totals.input + totals.cacheWrite, outputTokens: totals.output, cachedInputTokens: totals.cacheRead }
        : null,
      costUsd: totals.costUsd,
      provider: withModel?.provider ?? null,
      model: withModel?.model ?? null,
      summary: truncateText(lastText),
      stopReason: last?.stopReason ?? null,
      errorMessage: failedStop ? (last.errorMessage ?? `Pi stopped the turn (${last.stopReason})`) : this.retryFailure,
      nonJsonTail: [...this.nonJson],
      events: this.events,
    };
  }

  private line(text: string): void {
    const event = readPiEvent(text);
    if (!event) {
      this.nonJson.push(text.slice(0, 500));
      if (this.nonJson.length > KEPT_NON_JSON_LINES) this.nonJson.shift();
      return;
    }
    this.events++;
    this.event(event);
  }

  private event(e: PiEvent): void {
    switch (e.type) {
      case "session":
        if (typeof e.id === "string" && e.id.length > 0 && e.id.length <= 200) this.sessionId = e.id;
        break;
      case "message_end": {
        const message = readAssistantMessage(e.message);
        if (message) this.fromMessageEnd.push(message);
        break;
      }
      case "turn_end": {
        const message = readAssistantMessage(e.message);
        if (message) this.fromTurnEnd.push(message);
        break;
      }
      case "agent_end":
        if (Array.isArray(e.messages)) {
          this.fromAgentEnd = e.messages
            .filter((m) => roleOf(m) === "assistant")
            .map(readAssistantMessage)
            .filter((m): m is PiAssistantMessage => m !== null);
        }
        break;
      case "auto_retry_end":
        // Pi retried a provider error on its own and gave up: that error is why the run failed.
        if (e.success === false) this.retryFailure = errorText(e.finalError) ?? "Pi gave up retrying a provider error";
        else if (e.success === true) this.retryFailure = null;
        break;
      default:
        break;
    }
  }
}

function errorText(v: unknown): string | null {
  return typeof v === "string" && v.trim() ? v.trim().slice(0, 4000) : null;
}

/** Parses a whole captured stdout at once (tests, small outputs). */
export function parsePiJsonl(stdout: string): PiRunSummary {
  const parser = new PiJsonlParser();
  parser.push(stdout);
  return parser.end();
}
