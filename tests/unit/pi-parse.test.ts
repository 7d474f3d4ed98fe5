/** Reading `pi --mode json` output: session header, usage summed over assistant messages, summary, errors. */
import { describe, expect, it } from "vitest";
import { PiJsonlParser, parsePiJsonl } from "../../adapters/pi-local/server/parse.js";

const line = (e: unknown) => JSON.stringify(e) + "\n";
const usage = (input: number, output: number, cacheRead: number, cacheWrite: number, total: number) => ({ input, output, cacheRead, cacheWrite, totalTokens: 0, cost: { total } });
const assistant = (text: string, u: unknown, stopReason = "stop", extra: Record<string, unknown> = {}) => ({
  role: "assistant",
  content: text ? [{ type: "text", text }] : [],
  provider: "anthropic",
  model: "claude-sonnet-4-5",
  usage: u,
  stopReason,
  ...extra,
});

describe("parsePiJsonl", () => {
  it("sums usage over message_end assistant messages only, once each, and keeps the last text", () => {
    const first = assistant("", usage(1000, 100, 2000, 50, 0.012), "toolUse");
    const second = assistant("All done.", usage(200, 240, 3000, 0, 0.0225));
    const out = [
      line({ type: "session", version: 3, id: "sess-1", timestamp: "2026-01-01T00:00:00Z", cwd: "/repo" }),
      "Warning: not JSON\n",
      line({ type: "agent_start" }),
      line({ type: "message_end", message: { role: "user", content: [{ type: "text", text: "hi" }] } }),
      line({ type: "message_update", message: first, assistantMessageEvent: { type: "text_delta", delta: "x" } }),
      line({ type: "message_end", message: first }),
      line({ type: "turn_end", message: first, toolResults: [] }),
      line({ type: "message_end", message: second }),
      line({ type: "turn_end", message: second, toolResults: [] }),
      line({ type: "agent_end", messages: [first, second] }),
    ].join("");
    const s = parsePiJsonl(out);
    expect(s).toMatchObject({ sessionId: "sess-1", assistantMessages: 2, summary: "All done.", provider: "anthropic", model: "claude-sonnet-4-5", stopReason: "stop", errorMessage: null });
    expect(s.usage).toEqual({ inputTokens: 1250, outputTokens: 340, cachedInputTokens: 5000 });
    expect(s.costUsd).toBeCloseTo(0.0345, 10);
    expect(s.nonJsonTail).toEqual(["Warning: not JSON"]);
  });

  it("falls back to turn_end, then agent_end, when message_end is absent", () => {
    const m = assistant("ok", usage(10, 5, 0, 0, 0.001));
    expect(parsePiJsonl(line({ type: "turn_end", message: m }) + line({ type: "agent_end", messages: [m] })).usage).toEqual({ inputTokens: 10, outputTokens: 5, cachedInputTokens: 0 });
    expect(parsePiJsonl(line({ type: "agent_end", messages: [{ role: "user", content: "q" }, m] }))).toMatchObject({ assistantMessages: 1, summary: "ok" });
  });

  it("reports stopReason error with its errorMessage", () => {
    const failed = assistant("", usage(0, 0, 0, 0, 0), "error", { errorMessage: "429 rate_limit_error" });
    expect(parsePiJsonl(line({ type: "message_end", message: failed }))).toMatchObject({ stopReason: "error", errorMessage: "429 rate_limit_error", costUsd: 0 });
    const aborted = assistant("", null, "aborted");
    expect(parsePiJsonl(line({ type: "message_end", message: aborted })).errorMessage).toBe("Pi stopped the turn (aborted)");
  });

  it("reports a failed auto-retry, and forgets it when a retry succeeds", () => {
    expect(parsePiJsonl(line({ type: "auto_retry_end", success: false, attempt: 3, finalError: "overloaded" })).errorMessage).toBe("overloaded");
    const ok = parsePiJsonl(line({ type: "auto_retry_end", success: false, finalError: "x" }) + line({ type: "auto_retry_end", success: true, attempt: 2 }));
    expect(ok.errorMessage).toBeNull();
  });

  it("type-checks untrusted fields and ignores junk", () => {
    const weird = { role: "assistant", content: "plain string", usage: { input: "10", output: -5, cacheRead: NaN, cost: { total: "1" } }, stopReason: 7 };
    const s = parsePiJsonl(line({ type: "message_end", message: weird }) + line({ type: "session", id: 42 }) + "[1,2]\n{broken\n" + line({ type: 5 }));
    expect(s).toMatchObject({ sessionId: null, assistantMessages: 1, summary: "plain string", costUsd: null, stopReason: null });
    expect(s.usage).toEqual({ inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 });
    expect(s.nonJsonTail).toHaveLength(3);
  });

  it("handles lines split across chunks, a last line without newline, and drops runaway lines", () => {
    const p = new PiJsonlParser();
    const header = JSON.stringify({ type: "session", id: "abc" });
    p.push(header.slice(0, 5));
    p.push(header.slice(5) + "\n" + "x".repeat(1024 * 1024 + 10));
    p.push("still the runaway line\n");
    p.push(JSON.stringify({ type: "message_end", message: assistant("tail", null) }));
    expect(p.end()).toMatchObject({ sessionId: "abc", summary: "tail", events: 2 });
  });

  it("caps the summary", () => {
    const s = parsePiJsonl(line({ type: "message_end", message: assistant("y".repeat(5000), null) }));
    expect(s.summary).toHaveLength(4000);
    expect(s.summary?.endsWith("…")).toBe(true);
  });
});
